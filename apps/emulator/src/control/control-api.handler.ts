import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlInputError } from '../scenarios/scenario.engine';
import { ControlNotFoundError, type EmulatorControl, type RecordStamps } from './emulator.control';

const MAX_JSON = 1_000_000;

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback: the only callers the control API serves. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON) throw new ControlInputError('The JSON body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ControlInputError('The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlInputError('The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * `/_control/*`: JSON over the same HTTPS server, refused (403) unless the caller is on loopback.
 * Each route calls the typed EmulatorControl, so in-process and HTTP callers get the same behaviour.
 */
export async function handleControl(
  control: EmulatorControl,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    req.resume();
    sendJson(res, 403, { error: 'forbidden', message: 'The control API answers loopback callers only.' });
    return;
  }
  const method = req.method ?? 'GET';
  const route = url.pathname.replace(/\/+$/, '');
  const parts = route.split('/').slice(2).map(decodeURIComponent);
  try {
    const body = method === 'GET' || method === 'DELETE' ? (req.resume(), {}) : await readJson(req);
    const key = `${method} ${parts[0] ?? ''}${parts[1] !== undefined ? `/${parts.length > 2 ? '*' : parts[1]}` : ''}`;
    const one = parts[1] ?? '';
    switch (key) {
      case 'POST reset':
        await control.reset();
        return sendJson(res, 200, { ok: true });
      case 'GET state':
        return sendJson(res, 200, control.state());
      case 'GET scenarios':
        return sendJson(res, 200, control.state().scenarios);
      case 'POST scenarios':
        return sendJson(res, 201, control.addScenario(body as never));
      case 'DELETE scenarios':
        control.clearScenarios();
        return sendJson(res, 200, { ok: true });
      case 'PUT lifetimes':
        return sendJson(res, 200, control.setLifetimes(body));
      case 'POST tickets/expire':
        return sendJson(res, 200, control.expireTickets(body as { org?: string }));
      case 'POST crm/barrier':
        return sendJson(res, 201, control.armBarrier(body));
      case 'GET crm/barrier':
        return sendJson(res, 200, control.barrier() ?? null);
      case 'DELETE crm/barrier':
        return sendJson(res, 200, control.cancelBarrier() ?? null);
      case 'GET counts':
        return sendJson(res, 200, control.counts());
      case 'POST counts/reset':
        control.resetCounts();
        return sendJson(res, 200, { ok: true });
      case 'GET records': {
        const org = url.searchParams.get('org');
        if (!org) throw new ControlInputError('org is required');
        return sendJson(
          res,
          200,
          control.records({ org, entity: url.searchParams.get('entity') ?? undefined }),
        );
      }
      case 'POST pki/issue':
        return sendJson(res, 201, await control.issueCertificate(body as never));
      case 'POST pki/revoke':
        return sendJson(res, 200, control.revokeCertificate(body as never));
      case 'POST pki/*':
        if (parts[1] === 'crl' && parts[2] === 'extend') {
          return sendJson(res, 200, control.extendCrl(body as never));
        }
        break;
      case 'POST orgs':
        return sendJson(res, 201, control.addOrg(body as never));
      case 'POST users':
        return sendJson(res, 201, control.addUser(body as never));
      default:
        if (method === 'PATCH' && parts[0] === 'orgs' && parts.length === 2) {
          return sendJson(res, 200, control.updateOrg(one, body));
        }
        if (method === 'PATCH' && parts[0] === 'users' && parts.length === 2) {
          return sendJson(res, 200, control.updateUser(one, body));
        }
        if (method === 'DELETE' && parts[0] === 'users' && parts.length === 2) {
          return sendJson(res, 200, control.deleteUser(one));
        }
        if (parts[0] === 'records' && parts.length === 4) {
          const record = { org: parts[1] ?? '', entity: parts[2] ?? '', id: parts[3] ?? '' };
          if (method === 'PATCH')
            return sendJson(res, 200, control.stampRecord(record, body as RecordStamps));
          if (method === 'DELETE') return sendJson(res, 200, control.deleteRecord(record));
        }
        if (method === 'DELETE' && parts[0] === 'scenarios' && parts.length === 2) {
          return control.removeScenario(one)
            ? sendJson(res, 200, { ok: true })
            : sendJson(res, 404, { error: 'not-found', message: `No scenario ${one}` });
        }
    }
    sendJson(res, 404, { error: 'not-found', message: `No control route ${method} ${route}` });
  } catch (error) {
    if (error instanceof ControlInputError)
      return sendJson(res, 400, { error: 'bad-request', message: error.message });
    if (error instanceof ControlNotFoundError)
      return sendJson(res, 404, { error: 'not-found', message: error.message });
    sendJson(res, 500, { error: 'internal', message: (error as Error).message });
  }
}
