/** Which sign-in page URL {@link buildRpsUrl} makes, as `RPSDomainMap.ConstructURL` named them. */
export type RpsUrlKind = 'Auth' | 'SilentAuth' | 'Logout';

/** Input of {@link buildRpsUrl}. */
export interface RpsUrlOptions {
  /** The RPS root, e.g. `https://localhost:8443/rps` for the emulator. */
  rpsBaseUrl: string;
  siteId: string;
  /** Where the sign-in page sends the user back; an absolute http(s) URL. */
  returnUrl: string;
}

const PATHS: Readonly<Record<RpsUrlKind, { path: string; silent: boolean }>> = {
  Auth: { path: 'login', silent: false },
  SilentAuth: { path: 'login', silent: true },
  Logout: { path: 'logout', silent: false },
};

/**
 * Builds the URL to send a user to: `Auth` (interactive sign-in), `SilentAuth` (sign-in without
 * a page when a session exists; the answer for an RPSAuthState of "Maybe") or `Logout`.
 *
 * @throws TypeError on an unknown kind or a URL that is not absolute http(s).
 */
export function buildRpsUrl(kind: RpsUrlKind, options: RpsUrlOptions): string {
  const spec = Object.prototype.hasOwnProperty.call(PATHS, kind) ? PATHS[kind] : undefined;
  if (!spec) throw new TypeError(`unknown RPS URL kind: ${String(kind)}`);
  if (typeof options?.siteId !== 'string' || options.siteId.length === 0)
    throw new TypeError('siteId must be a non-empty string');
  const base = absoluteHttpUrl(options.rpsBaseUrl, 'rpsBaseUrl');
  const back = absoluteHttpUrl(options.returnUrl, 'returnUrl');
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/${spec.path}`, base);
  url.searchParams.set('siteId', options.siteId);
  url.searchParams.set('returnUrl', back.toString());
  if (spec.silent) url.searchParams.set('mode', 'silent');
  return url.toString();
}

function absoluteHttpUrl(value: unknown, name: string): URL {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${name} must be http(s)`);
  return url;
}
