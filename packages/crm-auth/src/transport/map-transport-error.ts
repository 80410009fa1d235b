import { CrmAuthError, isCrmAuthError } from '../errors';

/** Where a failed call was going, for the error's structured fields. */
export interface TransportErrorContext {
  url: string;
  operation?: string;
  /** The caller's signal: when it fired, the failure is ERR_ABORTED. */
  callerSignal?: AbortSignal;
  /** The per-call timeout signal: when it fired, the failure is ERR_TIMEOUT. */
  timeoutSignal?: AbortSignal;
}

const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Turns what undici or Node threw into a {@link CrmAuthError} with a transport code. The message
 * names the failure and the host, never a ticket or a body.
 */
export function mapTransportError(err: unknown, ctx: TransportErrorContext): CrmAuthError {
  if (isCrmAuthError(err)) return err;
  const fields = { url: ctx.url, ...(ctx.operation ? { operation: ctx.operation } : {}), cause: err };
  const host = safeHost(ctx.url);
  // The caller's own abort wins over anything the abort caused downstream.
  if (ctx.callerSignal?.aborted)
    return new CrmAuthError('ERR_ABORTED', `the call to ${host} was aborted`, fields);
  if (ctx.timeoutSignal?.aborted)
    return new CrmAuthError('ERR_TIMEOUT', `the call to ${host} timed out`, fields);

  const codes = errorCodes(err);
  const has = (...wanted: string[]): boolean => wanted.some((c) => codes.includes(c));
  if (has('UND_ERR_CONNECT_TIMEOUT')) {
    return new CrmAuthError('ERR_TIMEOUT', `connecting to ${host} timed out`, {
      ...fields,
      notExecuted: true,
    });
  }
  if (has('UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT')) {
    return new CrmAuthError('ERR_TIMEOUT', `${host} did not answer in time`, fields);
  }
  if (has('UND_ERR_RES_EXCEEDED_MAX_SIZE')) {
    return new CrmAuthError('ERR_XML_TOO_LARGE', `the reply from ${host} is larger than the cap`, fields);
  }
  if (has('ECONNREFUSED')) {
    return new CrmAuthError('ERR_CONNECTION_REFUSED', `${host} refused the connection`, {
      ...fields,
      notExecuted: true,
    });
  }
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME')) {
    return new CrmAuthError('ERR_DNS', `the name ${host} could not be resolved`, {
      ...fields,
      notExecuted: true,
    });
  }
  // A TLS failure ends the handshake before the server reads a request.
  if (codes.some((c) => TLS_CODES.has(c) || c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_'))) {
    return new CrmAuthError(
      'ERR_TLS',
      `the TLS handshake with ${host} failed (${codes.find((c) => TLS_CODES.has(c) || c.startsWith('ERR_')) ?? 'TLS'})`,
      {
        ...fields,
        notExecuted: true,
      },
    );
  }
  if (has('UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'ECONNABORTED')) {
    return new CrmAuthError(
      'ERR_CONNECTION_RESET',
      `the connection to ${host} was closed before the reply ended`,
      fields,
    );
  }
  if (has('UND_ERR_ABORTED', 'ABORT_ERR') || (err instanceof Error && err.name === 'AbortError')) {
    return new CrmAuthError('ERR_ABORTED', `the call to ${host} was aborted`, fields);
  }
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new CrmAuthError('ERR_TIMEOUT', `the call to ${host} timed out`, fields);
  }
  return new CrmAuthError(
    'ERR_CONNECTION_RESET',
    `the call to ${host} failed (${codes[0] ?? 'unknown error'})`,
    fields,
  );
}

/** Every `code` along the error's cause chain (undici wraps socket errors). */
function errorCodes(err: unknown): string[] {
  const out: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}
