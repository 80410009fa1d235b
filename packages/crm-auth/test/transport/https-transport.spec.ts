import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { CrmAuthError } from '../../src/errors';
import { HttpsTransport, parseRetryAfter } from '../../src/transport/https-transport';
import { mapTransportError } from '../../src/transport/map-transport-error';
import { sendSoap } from '../../src/transport/send-soap';
import { startTestServer, type TestServer } from '../helpers/https-test-server';
import { issue, standardHierarchy, testKey } from '../helpers/test-pki';
import { INVALID_OPTIONS } from '../helpers/invalid-options';

const soap11 = {
  xml: '<Envelope/>',
  soapAction: 'http://example/Op',
  contentType: 'text/xml; charset=utf-8',
};
const FAULT =
  '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault/></soap:Body></soap:Envelope>';

let server: TestServer;
let transport: HttpsTransport;

beforeAll(async () => {
  server = await startTestServer(
    (req, res) => {
      switch (req.url) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end('<ok>é</ok>');
          return;
        case '/latin1':
          // Not UTF-8: a server that writes ISO-8859-1 bytes under a UTF-8 label.
          res
            .writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
            .end(Buffer.concat([Buffer.from('<ok>'), Buffer.from([0xe9]), Buffer.from('</ok>')]));
          return;
        case '/big':
          res.writeHead(200, { 'content-type': 'text/xml' });
          for (let i = 0; i < 40; i += 1) res.write('x'.repeat(1024));
          res.end();
          return;
        case '/big-declared':
          res
            .writeHead(200, { 'content-type': 'text/xml', 'content-length': String(100_000) })
            .end('x'.repeat(100_000));
          return;
        case '/slow':
          setTimeout(() => res.writeHead(200).end('<late/>'), 2_000).unref();
          return;
        case '/reset':
          req.socket.destroy();
          return;
        case '/503':
          res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' }).end('busy');
          return;
        case '/fault':
          res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' }).end(FAULT);
          return;
        case '/html500':
          res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Runtime Error</body></html>');
          return;
        case '/redirect':
          res.writeHead(302, { location: 'https://login.example/' }).end();
          return;
        default:
          res.writeHead(404).end();
      }
    },
    { requestCert: true },
  );
  transport = new HttpsTransport({ ca: [server.caPem], timeoutMs: 500, maxResponseBytes: 32 * 1024 });
});

afterAll(async () => {
  await transport.close();
  await server.close();
});

async function failure(p: Promise<unknown>): Promise<CrmAuthError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CrmAuthError);
    return err as CrmAuthError;
  }
  throw new Error('expected a failure');
}

const parseText = (xml: string): string => xml;

describe('HttpsTransport and sendSoap', () => {
  it('sends SOAP 1.1 with a quoted SOAPAction and decodes UTF-8', async () => {
    const body = await sendSoap(transport, {
      url: `${server.url}/ok`,
      request: soap11,
      parse: parseText,
      operation: 'Op',
    });
    expect(body).toBe('<ok>é</ok>');
    const seen = server.requests.at(-1);
    expect(seen?.headers.soapaction).toBe('"http://example/Op"');
    expect(seen?.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(seen?.body).toBe('<Envelope/>');
  });

  it('refuses a reply that is not valid UTF-8 as malformed XML, without handing it to the parser', async () => {
    let parsed = false;
    const err = await failure(
      sendSoap(transport, {
        url: `${server.url}/latin1`,
        request: soap11,
        parse: (xml) => {
          parsed = true;
          return xml;
        },
        operation: 'Op',
      }),
    );
    expect(err.code).toBe('ERR_XML_MALFORMED');
    expect(err.message).toMatch(/not valid UTF-8/);
    expect(parsed).toBe(false);
  });

  it('sends SOAP 1.2 without a SOAPAction header', async () => {
    const request = {
      xml: '<E/>',
      soapAction: 'urn:a',
      contentType: 'application/soap+xml; charset=utf-8; action="urn:a"',
    };
    await sendSoap(transport, { url: `${server.url}/ok`, request, parse: parseText, operation: 'Op' });
    expect(server.requests.at(-1)?.headers.soapaction).toBeUndefined();
  });

  it('caps the reply size while streaming and when declared', async () => {
    expect((await failure(transport.post({ url: `${server.url}/big`, headers: {}, body: '' }))).code).toBe(
      'ERR_XML_TOO_LARGE',
    );
    expect(
      (await failure(transport.post({ url: `${server.url}/big-declared`, headers: {}, body: '' }))).code,
    ).toBe('ERR_XML_TOO_LARGE');
  });

  it('times out a call that gets no answer', async () => {
    const started = Date.now();
    const err = await failure(
      transport.post({ url: `${server.url}/slow`, headers: {}, body: '', operation: 'Create' }),
    );
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', operation: 'Create' });
    expect(err.notExecuted).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports the caller abort as ERR_ABORTED', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(
      (
        await failure(
          transport.post({ url: `${server.url}/slow`, headers: {}, body: '', signal: controller.signal }),
        )
      ).code,
    ).toBe('ERR_ABORTED');
  });

  it('reports a dropped connection as ERR_CONNECTION_RESET (the request may have run)', async () => {
    const err = await failure(transport.post({ url: `${server.url}/reset`, headers: {}, body: '' }));
    expect(err.code).toBe('ERR_CONNECTION_RESET');
    expect(err.notExecuted).toBeUndefined();
  });

  it('reports a refused connection as ERR_CONNECTION_REFUSED, not executed', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await failure(transport.post({ url: `https://127.0.0.1:${port}/`, headers: {}, body: '' }));
    expect(err).toMatchObject({ code: 'ERR_CONNECTION_REFUSED', notExecuted: true });
  });

  it('reports an untrusted server certificate as ERR_TLS, not executed', async () => {
    const strict = new HttpsTransport({
      ca: [issue({ commonName: 'Other Root', key: testKey('other-root'), ca: true }).pem],
      timeoutMs: 1000,
    });
    try {
      const err = await failure(strict.post({ url: `${server.url}/ok`, headers: {}, body: '' }));
      expect(err).toMatchObject({ code: 'ERR_TLS', notExecuted: true });
    } finally {
      await strict.close();
    }
  });

  it('presents the client certificate', async () => {
    const { leaf, intermediate } = standardHierarchy();
    const bundle = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: leaf.key.privateKeyPem,
      chainPem: intermediate.pem,
    });
    const mtls = new HttpsTransport({ ca: [server.caPem], clientCertificate: bundle.toTlsOptions() });
    try {
      await mtls.post({ url: `${server.url}/ok`, headers: {}, body: '' });
      expect(server.requests.at(-1)?.clientCn).toBe('ERP_Integration');
    } finally {
      await mtls.close();
    }
  });

  it('turns a non-SOAP error status into ERR_HTTP_STATUS with Retry-After', async () => {
    const err = await failure(
      sendSoap(transport, { url: `${server.url}/503`, request: soap11, parse: parseText, operation: 'Op' }),
    );
    expect(err).toMatchObject({
      code: 'ERR_HTTP_STATUS',
      httpStatus: 503,
      retryAfterMs: 7000,
      operation: 'Op',
    });
    const html = await failure(
      sendSoap(transport, {
        url: `${server.url}/html500`,
        request: soap11,
        parse: parseText,
        operation: 'Op',
      }),
    );
    expect(html).toMatchObject({ code: 'ERR_HTTP_STATUS', httpStatus: 500 });
    const redirect = await failure(
      sendSoap(transport, {
        url: `${server.url}/redirect`,
        request: soap11,
        parse: parseText,
        operation: 'Op',
      }),
    );
    expect(redirect).toMatchObject({ code: 'ERR_HTTP_STATUS', httpStatus: 302 });
  });

  it('hands a SOAP fault body to the parser, so the typed fault comes out', async () => {
    const parse = (): never => {
      throw new CrmAuthError('ERR_CRM_EXPIRED_TICKET', 'expired', {
        faultCode: '0x8004A101',
        notExecuted: true,
      });
    };
    const err = await failure(
      sendSoap(transport, { url: `${server.url}/fault`, request: soap11, parse, operation: 'Create' }),
    );
    expect(err).toMatchObject({ code: 'ERR_CRM_EXPIRED_TICKET', faultCode: '0x8004A101', notExecuted: true });
  });

  it('falls back to ERR_HTTP_STATUS when the 500 body is not a recognised fault', async () => {
    const parse = (): never => {
      throw new CrmAuthError('ERR_XML_MALFORMED', 'bad');
    };
    const err = await failure(
      sendSoap(transport, { url: `${server.url}/fault`, request: soap11, parse, operation: 'Op' }),
    );
    expect(err).toMatchObject({ code: 'ERR_HTTP_STATUS', httpStatus: 500 });
  });

  it('refuses plain http and a closed transport', async () => {
    expect((await failure(transport.post({ url: 'http://127.0.0.1:1/', headers: {}, body: '' }))).code).toBe(
      'ERR_INVALID_OPTIONS',
    );
    const closed = new HttpsTransport();
    await closed.close();
    expect((await failure(closed.post({ url: `${server.url}/ok`, headers: {}, body: '' }))).code).toBe(
      'ERR_INVALID_OPTIONS',
    );
  });

  it('rejects bad options with ERR_INVALID_OPTIONS', () => {
    expect(() => new HttpsTransport({ timeoutMs: -1 })).toThrow(INVALID_OPTIONS);
    // @ts-expect-error deliberate misuse
    expect(() => new HttpsTransport({ ca: 'pem' })).toThrow(INVALID_OPTIONS);
  });
});

describe('mapTransportError', () => {
  const url = 'https://dev.crm.dynamics.com/x';
  it('maps DNS failures to ERR_DNS, not executed', () => {
    expect(
      mapTransportError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), { url }),
    ).toMatchObject({
      code: 'ERR_DNS',
      notExecuted: true,
    });
  });
  it('follows the cause chain', () => {
    const wrapped = Object.assign(new Error('fetch failed'), {
      cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }),
    });
    expect(mapTransportError(wrapped, { url }).code).toBe('ERR_CONNECTION_RESET');
  });
  it('maps a connect timeout to ERR_TIMEOUT, not executed', () => {
    expect(
      mapTransportError(Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), { url }),
    ).toMatchObject({
      code: 'ERR_TIMEOUT',
      notExecuted: true,
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(10_000);
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
