import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { issue, standardHierarchy, testKey, type TestCert } from './test-pki';

/** A loopback HTTPS server for transport tests; the handler decides per request. */
export interface TestServer {
  url: string;
  caPem: string;
  close(): Promise<void>;
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: string; clientCn?: string }>;
}

let serverCert: TestCert | undefined;

/** A server certificate for localhost/127.0.0.1 under the standard test root. */
export function serverCertificate(): TestCert {
  serverCert ??= issue({
    commonName: 'localhost',
    key: testKey('server'),
    issuer: standardHierarchy().root,
    eku: ['serverAuth'],
    altNames: { dns: ['localhost'], ip: ['127.0.0.1'] },
  });
  return serverCert;
}

export async function startTestServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
  options: { cert?: TestCert; requestCert?: boolean } = {},
): Promise<TestServer> {
  const cert = options.cert ?? serverCertificate();
  const { root, intermediate } = standardHierarchy();
  const requests: TestServer['requests'] = [];
  const server: Server = createServer(
    {
      key: cert.key.privateKeyPem,
      cert: cert.pem,
      ca: [root.pem, intermediate.pem],
      requestCert: options.requestCert === true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const peer = (req.socket as TLSSocket).getPeerCertificate?.();
        requests.push({
          path: req.url ?? '',
          headers: req.headers,
          body,
          ...(peer && peer.subject ? { clientCn: String(peer.subject.CN) } : {}),
        });
        handler(req, res, body);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: standardHierarchy().root.pem,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
