import type { ServerResponse } from 'node:http';
import type { ScenarioState } from '../state/emulator-state.model';
import type { HttpReply } from './emulator.context';

/** The sign-in page a proxy or an expired session would put where SOAP was expected. */
export const HTML_LOGIN_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sign in to your Microsoft account</title>
</head>
<body>
<form name="f1" method="post" action="/ppsecure/post.srf?wa=wsignin1.0">
<input type="email" name="login" placeholder="someone@example.com">
<input type="password" name="passwd">
<input type="submit" value="Sign in">
<p>Can&rsquo;t access your account?&nbsp;<a href="/resetpw.srf">Reset it</a><br>
</form>
</body>
</html>
`;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Applies the transport scenarios that act before the reply exists. Returns true when the call has
 * been answered (or its connection destroyed) and the handler must not run.
 */
export async function applyTransportBefore(
  scenarios: ScenarioState[],
  res: ServerResponse,
): Promise<boolean> {
  for (const s of scenarios) {
    switch (s.name) {
      case 'SLOW':
        await sleep(Number(s.params['ms'] ?? 0));
        break;
      case 'DROP_CONNECTION':
        // No status line, no bytes: the client sees a reset in the middle of its call.
        res.socket?.destroy();
        return true;
      case 'HTTP_500':
        writeReply(res, {
          status: 500,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'Internal Server Error',
        });
        return true;
      case 'HTML_LOGIN_PAGE':
        writeReply(res, {
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: HTML_LOGIN_PAGE,
        });
        return true;
      case 'THROTTLED': {
        const status = Number(s.params['status'] ?? 503);
        writeReply(res, {
          status,
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            'retry-after': String(s.params['retryAfterSec'] ?? 5),
          },
          body: status === 429 ? 'Too Many Requests' : 'Service Unavailable',
        });
        return true;
      }
      default:
        break;
    }
  }
  return false;
}

/** MALFORMED_REPLY: the real reply cut in the middle, so that it is never well-formed XML. */
export function truncateReply(reply: HttpReply): HttpReply {
  const text = typeof reply.body === 'string' ? reply.body : reply.body.toString('utf8');
  const cut = Math.max(1, Math.floor(text.length / 2));
  return { ...reply, body: text.slice(0, cut) };
}

/**
 * Writes a reply with its length, keeping the connection alive. A string body goes out as one
 * write together with the headers: over TLS that is one record instead of two, which is most of
 * the cost of a small SOAP reply.
 */
export function writeReply(res: ServerResponse, reply: HttpReply): void {
  const length = typeof reply.body === 'string' ? Buffer.byteLength(reply.body, 'utf8') : reply.body.length;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': length });
  res.end(reply.body);
}
