import { Agent, request } from 'undici';
import { CrmAuthError } from '../errors';
import { invalidOptions, optionalPemList, positiveNumber, requireObject } from '../option-checks';
import type { CertificateTlsOptions } from '../certificates/certificate-bundle';
import { mapTransportError } from './map-transport-error';

/** Options of {@link HttpsTransport}. Checked once, in the constructor. */
export interface HttpsTransportOptions {
  /** Trusted server CAs in PEM. They replace Node's default store (pinning); default: Node's store. */
  ca?: ReadonlyArray<string>;
  /** A TLS client certificate (from {@link CertificateBundle.toTlsOptions}). Secret: the key. */
  clientCertificate?: CertificateTlsOptions;
  /** Per-call limit, connect to last byte. Default 30 000 ms. */
  timeoutMs?: number;
  /** TCP + TLS connect limit. Default 5 000 ms. */
  connectTimeoutMs?: number;
  /** Larger replies fail with ERR_XML_TOO_LARGE. Default 5 MiB. */
  maxResponseBytes?: number;
  /** Idle keep-alive sockets are closed after this. Default 30 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Connections per origin. Default 32. */
  connections?: number;
}

/** One request: a POST unless `method` says otherwise (the Dataverse Web API also GETs and DELETEs). */
export interface TransportRequest {
  url: string;
  /** Default POST. GET and DELETE send no body. */
  method?: 'POST' | 'GET' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
  /** For errors: the SOAP operation. */
  operation?: string;
}

/** A reply read whole (within the size cap). */
export interface TransportResponse {
  status: number;
  contentType: string;
  /** `Retry-After` in milliseconds, when the server sent one. */
  retryAfterMs?: number;
  body: string;
  /** The body's bytes were not valid UTF-8 (`body` then holds U+FFFD in their place): never parse it as XML. */
  invalidUtf8?: boolean;
  /** The reply's headers, names in lower case (a repeated header: its first value). */
  headers?: Readonly<Record<string, string>>;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

const DEFAULTS = {
  timeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  maxResponseBytes: 5 * 1024 * 1024,
  keepAliveTimeoutMs: 30_000,
  connections: 32,
};

/**
 * HTTPS POSTs over one undici `Agent` with keep-alive: one transport per (trusted CAs, client
 * certificate). Every call carries `AbortSignal.any([caller, timeout])`, and failures become
 * {@link CrmAuthError}s with transport codes. Uses `request` from the same undici package as the
 * Agent, never the global fetch.
 */
export class HttpsTransport {
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  #closed = false;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: HttpsTransportOptions = {}) {
    requireObject(options, 'HttpsTransport options');
    const timeoutMs = positiveNumber(options.timeoutMs, DEFAULTS.timeoutMs, 'timeoutMs');
    const connectTimeoutMs = positiveNumber(
      options.connectTimeoutMs,
      DEFAULTS.connectTimeoutMs,
      'connectTimeoutMs',
    );
    const maxResponseBytes = positiveNumber(
      options.maxResponseBytes,
      DEFAULTS.maxResponseBytes,
      'maxResponseBytes',
    );
    const keepAliveTimeoutMs = positiveNumber(
      options.keepAliveTimeoutMs,
      DEFAULTS.keepAliveTimeoutMs,
      'keepAliveTimeoutMs',
    );
    const connections = positiveNumber(options.connections, DEFAULTS.connections, 'connections');
    optionalPemList(options.ca, 'ca');
    const client = options.clientCertificate;
    if (client !== undefined && (typeof client?.cert !== 'string' || typeof client?.key !== 'string')) {
      throw invalidOptions('clientCertificate must be { cert, key } PEM strings');
    }
    this.#timeoutMs = timeoutMs;
    this.#maxResponseBytes = maxResponseBytes;
    this.#agent = new Agent({
      connect: {
        // rejectUnauthorized stays on: tickets go over these connections.
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        timeout: connectTimeoutMs,
        ...(options.ca && options.ca.length > 0 ? { ca: [...options.ca] } : {}),
        ...(client ? { cert: client.cert, key: client.key } : {}),
      },
      connectTimeout: connectTimeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connections,
      maxResponseSize: maxResponseBytes,
    });
  }

  /** Sends and reads the whole reply, bounded in time and size. HTTP error statuses are returned, not thrown. */
  async post(req: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) throw invalidOptions('the transport is closed');
    const url = checkUrl(req.url);
    const timeoutSignal = AbortSignal.timeout(this.#timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeoutSignal]) : timeoutSignal;
    const ctx = {
      url: url.origin + url.pathname,
      ...(req.operation ? { operation: req.operation } : {}),
      timeoutSignal,
      ...(req.signal ? { callerSignal: req.signal } : {}),
    };
    try {
      signal.throwIfAborted();
      const method = req.method ?? 'POST';
      const hasBody = method === 'POST' || method === 'PATCH';
      const res = await request(url, {
        dispatcher: this.#agent,
        method,
        headers: hasBody
          ? { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) }
          : req.headers,
        ...(hasBody ? { body: req.body } : {}),
        signal,
      });
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.#maxResponseBytes) {
        res.body.destroy();
        throw tooLarge(ctx);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        // The cap applies before decoding: parse cost grows with size.
        if (size > this.#maxResponseBytes) {
          res.body.destroy();
          throw tooLarge(ctx);
        }
        chunks.push(chunk);
      }
      const contentType = headerText(res.headers['content-type']);
      const retryAfterMs = parseRetryAfter(headerText(res.headers['retry-after']));
      const bytes = Buffer.concat(chunks, size);
      let body: string;
      let invalidUtf8 = false;
      try {
        body = STRICT_UTF8.decode(bytes);
      } catch {
        // Kept readable for an error message; sendSoap refuses to parse it.
        body = new TextDecoder('utf-8').decode(bytes);
        invalidUtf8 = true;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = headerText(v);
      return {
        status: res.statusCode,
        contentType,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        body,
        ...(invalidUtf8 ? { invalidUtf8 } : {}),
        headers,
      };
    } catch (err) {
      throw mapTransportError(err, ctx);
    }
  }

  /** Closes the Agent's sockets. Calls after this fail with ERR_INVALID_OPTIONS. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#agent.close();
  }
}

function tooLarge(ctx: { url: string; operation?: string }): CrmAuthError {
  return new CrmAuthError('ERR_XML_TOO_LARGE', 'the reply is larger than the configured cap', {
    url: ctx.url,
    ...(ctx.operation ? { operation: ctx.operation } : {}),
  });
}

function checkUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidOptions('the service URL is not an absolute URL');
  }
  // Tickets and the client certificate's proof travel on these calls: never over plain HTTP.
  if (url.protocol !== 'https:') throw invalidOptions(`the service URL must be https (got ${url.protocol})`);
  if (url.username || url.password) throw invalidOptions('the service URL must not carry credentials');
  return url;
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  if (value === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
