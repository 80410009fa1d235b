import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/** One reply the server gives, once, to the next request. */
export interface HostileReply {
  status?: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export interface HostileServer {
  /** `https://localhost:<port>` */
  origin: string;
  /** Queues replies; each request takes the next one (a 503 when none is left). */
  queue(...replies: HostileReply[]): void;
  /** Paths requested so far, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

/**
 * An HTTPS server that answers whatever it is told to, with the emulator's own server
 * certificate (so the API trusts it as it trusts the emulator). It stands in for a CrmService or
 * discovery service gone wrong, or for a man in the middle that owns a trusted certificate.
 */
export async function startHostileServer(emulatorDataDir: string): Promise<HostileServer> {
  const pki = (name: string) => readFileSync(join(emulatorDataDir, 'pki', name), 'utf8');
  const replies: HostileReply[] = [];
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer(
    { key: pki('server.key.pem'), cert: pki('server.crt.pem') + pki('intermediate.crt.pem') },
    (req, res) => {
      seen.push(req.url ?? '');
      req.resume();
      req.on('end', () => {
        const r = replies.shift() ?? { status: 503, body: 'no reply queued' };
        const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
        res.writeHead(r.status ?? 200, {
          'content-type': 'text/xml; charset=utf-8',
          'content-length': String(body.length),
          ...r.headers,
        });
        res.end(body);
      });
    },
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://localhost:${port}`,
    queue: (...r) => replies.push(...r),
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
