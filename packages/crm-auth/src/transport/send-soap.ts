import { CrmAuthError, isCrmAuthError } from '../errors';
import type { SoapRequest } from '../messages/types';
import type { HttpsTransport } from './https-transport';

/** One SOAP exchange: the request, where to send it, and the codec's parser for the reply. */
export interface SoapExchange<T> {
  url: string;
  request: SoapRequest;
  /** The parser of the expected response; it throws the typed fault when the body is a fault. */
  parse: (xml: string) => T;
  /** The operation name, for errors and metrics. */
  operation: string;
  signal?: AbortSignal;
}

/**
 * POSTs a SOAP message and parses the reply. A fault body (HTTP 500 with SOAP, as ASMX sends
 * them) goes to the parser so that it becomes the typed CRM or Live fault; other error statuses
 * (a plain 500, 503, 429, a redirect to a login page) become ERR_HTTP_STATUS.
 */
export async function sendSoap<T>(transport: HttpsTransport, exchange: SoapExchange<T>): Promise<T> {
  const { request } = exchange;
  const headers: Record<string, string> = {
    'content-type': request.contentType,
    accept: 'text/xml, application/soap+xml',
  };
  // SOAP 1.1 carries the action in a quoted header; 1.2 carries it in the content type.
  if (/^text\/xml/i.test(request.contentType)) headers.soapaction = `"${request.soapAction}"`;
  const res = await transport.post({
    url: exchange.url,
    headers,
    body: request.xml,
    operation: exchange.operation,
    ...(exchange.signal ? { signal: exchange.signal } : {}),
  });
  const where = { url: stripQuery(exchange.url), operation: exchange.operation, httpStatus: res.status };
  // Bytes that are not UTF-8 are malformed XML (XML 1.0 §4.3.3): refused, never decoded with U+FFFD.
  const parse = (body: string): T => {
    if (res.invalidUtf8) {
      throw new CrmAuthError(
        'ERR_XML_MALFORMED',
        `${exchange.operation}: malformed XML: the reply is not valid UTF-8`,
        where,
      );
    }
    return exchange.parse(body);
  };
  if (res.status >= 200 && res.status < 300) return parse(res.body);

  if (res.status >= 400 && looksLikeSoap(res.contentType, res.body)) {
    try {
      parse(res.body);
    } catch (err) {
      // Only a fault the codec recognised is the answer; anything else falls through to the status.
      if (isCrmAuthError(err) && (err.code.startsWith('ERR_CRM_') || err.code === 'ERR_WLID_FAULT'))
        throw err;
      throw statusError(res.status, res.retryAfterMs, { ...where, cause: err });
    }
  }
  throw statusError(res.status, res.retryAfterMs, where);
}

function statusError(
  status: number,
  retryAfterMs: number | undefined,
  fields: { url: string; operation: string; httpStatus: number; cause?: unknown },
): CrmAuthError {
  const after = retryAfterMs === undefined ? '' : ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`;
  return new CrmAuthError(
    'ERR_HTTP_STATUS',
    `${fields.operation}: the server answered HTTP ${status}${after}`,
    {
      ...fields,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    },
  );
}

function looksLikeSoap(contentType: string, body: string): boolean {
  return /xml/i.test(contentType) || /^\s*(<\?xml[^>]*>\s*)?<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(body);
}

function stripQuery(url: string): string {
  const i = url.search(/[?#]/);
  return i === -1 ? url : url.slice(0, i);
}
