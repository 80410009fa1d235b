/** A signed-in client that sends bodies byte for byte (ConsoleClient always JSON-encodes). */
export class RawClient {
  cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  static async login(base: string, email: string, password: string): Promise<RawClient> {
    const c = new RawClient(base);
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`login: ${res.status}`);
    c.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    c.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    return c;
  }

  /** Sends the request with the session cookie and CSRF token; null when the connection failed. */
  async send(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Response | null> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: {
          cookie: this.cookie,
          'x-csrf-token': this.csrf,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body,
      });
    } catch {
      return null;
    }
  }
}
