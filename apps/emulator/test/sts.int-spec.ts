import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './emulator-harness';
import { liveFaultCode, parseReply, passportTicket, rstXml, textAt } from './soap-client';

const SOAP12 = { 'content-type': 'application/soap+xml; charset=utf-8' };

describe('the Windows Live STS', () => {
  let h: Harness;
  let demo: { certPem: string; keyPem: string; chainPem: string };
  beforeAll(async () => {
    h = await startHarness({ passportTicketLifetimeSec: 3600 });
    demo = {
      certPem: await readFile(h.emu.demo.certPath, 'utf8'),
      keyPem: await readFile(h.emu.demo.keyPath, 'utf8'),
      chainPem: await readFile(h.emu.demo.chainPath, 'utf8'),
    };
  });
  afterAll(async () => {
    await h.close();
  });

  async function rst(
    cert: { certPem: string; keyPem: string; chainPem?: string } | undefined,
    xml = rstXml(),
  ) {
    return h.post('/RST2.srf', xml, SOAP12, cert ? h.clientWith(cert) : h.agent);
  }

  it('issues a ticket whose lifetime is the configured one', async () => {
    const res = await rst(demo);
    expect(res.status).toBe(200);
    const tree = parseReply(res.body);
    const created = Date.parse(
      textAt(tree, 'Envelope/Body/RequestSecurityTokenResponse/Lifetime/Created') ?? '',
    );
    const expires = Date.parse(
      textAt(tree, 'Envelope/Body/RequestSecurityTokenResponse/Lifetime/Expires') ?? '',
    );
    expect(Math.round((expires - created) / 1000)).toBeGreaterThanOrEqual(3599);
    expect(Math.round((expires - created) / 1000)).toBeLessThanOrEqual(3600);
  });

  it('accepts the certificate without its chain (the emulator knows its intermediate)', async () => {
    const res = await rst({ certPem: demo.certPem, keyPem: demo.keyPem });
    expect(res.status).toBe(200);
  });

  it('authenticates again on new connections of one client (TLS session resumption)', async () => {
    const agent = h.clientWith(demo);
    for (let i = 0; i < 3; i++) {
      const res = await h.post('/RST2.srf', rstXml(), { ...SOAP12, connection: 'close' }, agent);
      expect(res.status).toBe(200);
    }
  });

  it('answers at /wstlogin.srf too', async () => {
    const res = await h.post('/wstlogin.srf', rstXml(), SOAP12, h.clientWith(demo));
    expect(res.status).toBe(200);
  });

  it('answers RequestMultipleSecurityTokens with a collection', async () => {
    const xml = rstXml().replace(
      /<wst:RequestSecurityToken Id="RST0">([\s\S]*)<\/wst:RequestSecurityToken>/,
      '<ps:RequestMultipleSecurityTokens xmlns:ps="http://schemas.microsoft.com/LiveID/SoapServices/v1" Id="RSTS"><wst:RequestSecurityToken Id="RST0">$1</wst:RequestSecurityToken></ps:RequestMultipleSecurityTokens>',
    );
    const res = await rst(demo, xml);
    expect(res.status).toBe(200);
    expect(
      textAt(
        parseReply(res.body),
        'Envelope/Body/RequestSecurityTokenResponseCollection/RequestSecurityTokenResponse/RequestedSecurityToken/BinarySecurityToken',
      ),
    ).toMatch(/^t=/);
  });

  const refusals: Array<
    [
      string,
      () => Promise<{ certPem: string; keyPem: string; chainPem?: string } | undefined>,
      string,
      RegExp,
    ]
  > = [
    ['no certificate', async () => undefined, '0x80048861', /No client certificate/],
    [
      'an unregistered certificate',
      async () => h.emu.control.issueCertificate({ commonName: 'stranger' }),
      '0x80048862',
      /not associated/,
    ],
    [
      'an expired certificate',
      async () =>
        h.emu.control.issueCertificate({
          commonName: 'old',
          account: 'erp_integration@contoso-isv.example',
          notBefore: new Date(Date.now() - 10 * 86_400_000).toISOString(),
          notAfter: new Date(Date.now() - 86_400_000).toISOString(),
        }),
      '0x80048863',
      /expired/,
    ],
    [
      'a certificate not yet valid',
      async () =>
        h.emu.control.issueCertificate({
          commonName: 'future',
          account: 'erp_integration@contoso-isv.example',
          notBefore: new Date(Date.now() + 86_400_000).toISOString(),
          notAfter: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        }),
      '0x80048864',
      /not yet valid/,
    ],
    [
      'a self-signed certificate',
      async () =>
        h.emu.control.issueCertificate({
          commonName: 'self',
          account: 'erp_integration@contoso-isv.example',
          selfSigned: true,
        }),
      '0x80048865',
      /does not chain/,
    ],
    [
      'a certificate signed by a non-CA leaf',
      async () =>
        h.emu.control.issueCertificate({
          commonName: 'rogue',
          account: 'erp_integration@contoso-isv.example',
          signWithLeaf: true,
        }),
      '0x80048865',
      /does not chain/,
    ],
    [
      'a certificate without clientAuth',
      async () =>
        h.emu.control.issueCertificate({
          commonName: 'server-only',
          account: 'erp_integration@contoso-isv.example',
          clientAuth: false,
        }),
      '0x80048867',
      /client authentication/,
    ],
    [
      'a revoked certificate',
      async () => {
        const issued = await h.emu.control.issueCertificate({
          commonName: 'revoked',
          account: 'erp_integration@contoso-isv.example',
        });
        h.emu.control.revokeCertificate({ thumbprintSha1Hex: issued.thumbprintSha1Hex.toLowerCase() });
        return issued;
      },
      '0x80048866',
      /revoked/,
    ],
  ];
  for (const [what, make, code, says] of refusals) {
    it(`refuses ${what}`, async () => {
      const res = await rst(await make());
      expect(res.status).toBe(500);
      expect(liveFaultCode(res.body)).toBe(code);
      expect(textAt(parseReply(res.body), 'Envelope/Body/Fault/Detail/error/internalerror/text')).toMatch(
        says,
      );
    });
  }

  it('accepts a freshly issued, registered certificate', async () => {
    const issued = await h.emu.control.issueCertificate({
      commonName: 'second',
      account: 'erp_integration@contoso-isv.example',
    });
    const ticket = await passportTicket(h, h.clientWith(issued));
    expect(ticket).toMatch(/^t=/);
    // The PKCS#12 holds the same certificate.
    expect(Buffer.from(issued.pfxBase64, 'base64').length).toBeGreaterThan(1000);
  });

  it('refuses a wrong policy, AppliesTo or RequestType as an invalid request', async () => {
    for (const xml of [
      rstXml({ policy: 'MBI' }),
      rstXml({ appliesTo: 'example.com' }),
      rstXml({ requestType: 'http://schemas.xmlsoap.org/ws/2005/02/trust/Renew' }),
    ]) {
      const res = await rst(demo, xml);
      expect(res.status).toBe(500);
      expect(res.body).toContain('wst:InvalidRequest');
    }
  });

  it('publishes CRLs that list a revoked certificate, signed by the CA', async () => {
    const issued = await h.emu.control.issueCertificate({ commonName: 'to-revoke' });
    h.emu.control.revokeCertificate({ thumbprintSha1Hex: issued.thumbprintSha1Hex });
    const res = await fetchBinary(h, '/pki/intermediate.crl');
    expect(res.status).toBe(200);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crl-'));
    try {
      await writeFile(path.join(dir, 'i.crl'), res.body);
      await writeFile(path.join(dir, 'ca.pem'), await (await fetchBinary(h, '/pki/intermediate.pem')).body);
      const out = spawnSync(
        'openssl',
        [
          'crl',
          '-inform',
          'DER',
          '-in',
          path.join(dir, 'i.crl'),
          '-noout',
          '-text',
          '-CAfile',
          path.join(dir, 'ca.pem'),
        ],
        { encoding: 'utf8' },
      );
      // openssl checks the CRL's signature against the CA and says so on stderr.
      expect(out.stderr).toContain('verify OK');
      expect(out.stdout).toContain(`Serial Number: ${issued.serialHex}`);
      expect(out.stdout).toMatch(/Next Update:/);
      expect(out.stdout).toContain('Onbehalf Emulator Intermediate CA');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(new X509Certificate(issued.certPem).serialNumber.toUpperCase()).toBe(issued.serialHex);
  });

  it('serves federation metadata pointing at the STS', async () => {
    const res = await h.get('/federationmetadata/2006-12/FederationMetaData.xml');
    expect(res.status).toBe(200);
    expect(textAt(parseReply(res.body), 'FederationMetadata/Federation/TargetServiceEndpoint/Address')).toBe(
      h.emu.stsUrl,
    );
  });
});

async function fetchBinary(h: Harness, p: string): Promise<{ status: number; body: Buffer }> {
  const { request } = await import('undici');
  const res = await request(`${h.emu.url}${p}`, { dispatcher: h.agent });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}
