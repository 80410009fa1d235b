import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningEmulator } from '@onbehalf/emulator';

/** One bad upload: the JSON body (or raw text), and what the API must answer. */
export interface HostileCertificate {
  kind: string;
  body?: Record<string, unknown>;
  raw?: string;
  status: number;
  code: string;
  /** For 422: a problem code the reply must list. */
  problem?: string;
  /** What the message must say, when the code alone is ambiguous. */
  message?: RegExp;
}

const LIVE_ID = 'erp_integration@contoso-isv.example';
const DAY = 86_400_000;

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes the corpus: certificates the emulator issues with a flaw, files cut or mangled by hand,
 * and (when the openssl CLI is there) a 1024-bit certificate under the emulator's CA and a
 * PKCS#12 that holds two certificates and no key. `pkiDir` is the emulator's `<dataDir>/pki`.
 */
export async function hostileCertificates(
  emulator: RunningEmulator,
  pkiDir: string,
): Promise<{ refused: HostileCertificate[]; weak: HostileCertificate | null }> {
  const c = emulator.control;
  const demoCert = readFileSync(emulator.demo.certPath, 'utf8');
  const demoKey = readFileSync(emulator.demo.keyPath, 'utf8');
  const demoChain = readFileSync(emulator.demo.chainPath, 'utf8');
  const demoPfx = readFileSync(emulator.demo.pfxPath).toString('base64');
  const demoDer = Buffer.from(new X509Certificate(demoCert).raw);
  const asPem = (extra: Record<string, unknown>) => ({
    serviceAccountLiveId: LIVE_ID,
    format: 'pem',
    ...extra,
  });
  const asP12 = (pkcs12Base64: string, password: string) => ({
    serviceAccountLiveId: LIVE_ID,
    format: 'pkcs12',
    pkcs12Base64,
    password,
  });
  const issued = async (req: Parameters<typeof c.issueCertificate>[0]) => {
    const x = await c.issueCertificate(req);
    return asPem({ certificatePem: x.certPem, privateKeyPem: x.keyPem, chainPem: x.chainPem });
  };
  const [expired, notYet, selfSigned, leafSigned, noClientAuth, other] = await Promise.all([
    issued({
      commonName: 'expired',
      notBefore: new Date(Date.now() - 60 * DAY).toISOString(),
      notAfter: new Date(Date.now() - DAY).toISOString(),
    }),
    issued({
      commonName: 'not yet valid',
      notBefore: new Date(Date.now() + 10 * DAY).toISOString(),
      notAfter: new Date(Date.now() + 400 * DAY).toISOString(),
    }),
    issued({ commonName: 'self-signed', selfSigned: true }),
    issued({ commonName: 'leaf-signed', signWithLeaf: true }),
    issued({ commonName: 'no client auth', clientAuth: false }),
    c.issueCertificate({ commonName: 'another key' }),
  ]);
  const encryptedKey = createPrivateKey(demoKey).export({
    format: 'pem',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase: 'unknown to the API',
  }) as string;
  const strangerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    format: 'pem',
    type: 'pkcs8',
  }) as string;
  // An ASN.1 SEQUENCE that claims 2 GB, and one nested 5,000 times with indefinite lengths.
  const lengthBomb = Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), randomBytes(64)]);
  const nestingBomb = Buffer.concat([
    Buffer.alloc(10_000, Buffer.from([0x30, 0x80])),
    Buffer.alloc(10_000, 0),
  ]);

  const refused: HostileCertificate[] = [
    {
      kind: 'garbage text as the certificate',
      body: asPem({ certificatePem: 'this is not a certificate', privateKeyPem: demoKey }),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'truncated DER in PEM armour',
      body: asPem({
        certificatePem: pem('CERTIFICATE', demoDer.subarray(0, demoDer.length >> 1)),
        privateKeyPem: demoKey,
      }),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'PEM armour around base64 of random bytes',
      body: asPem({ certificatePem: pem('CERTIFICATE', randomBytes(900)), privateKeyPem: demoKey }),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'binary DER bytes in the PEM field',
      body: asPem({ certificatePem: demoDer.toString('latin1'), privateKeyPem: demoKey }),
      status: 400,
      code: 'INVALID_CHARACTER',
    },
    {
      kind: 'a certificate with no key (PEM)',
      body: asPem({ certificatePem: demoCert, chainPem: demoChain }),
      status: 400,
      code: 'CERTIFICATE_NO_KEY',
    },
    {
      kind: 'a key with no certificate',
      body: asPem({ certificatePem: demoKey, privateKeyPem: demoKey }),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'an encrypted private key without its passphrase',
      body: asPem({ certificatePem: demoCert, privateKeyPem: encryptedKey, chainPem: demoChain }),
      status: 400,
      code: 'CERTIFICATE_BAD_PASSWORD',
      message: /key is encrypted/,
    },
    {
      kind: 'key mismatch (another RSA key)',
      body: asPem({ certificatePem: demoCert, privateKeyPem: other.keyPem, chainPem: demoChain }),
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'KEY_MISMATCH',
    },
    {
      kind: 'key mismatch (an EC key)',
      body: asPem({ certificatePem: demoCert, privateKeyPem: strangerKey, chainPem: demoChain }),
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'KEY_MISMATCH',
    },
    {
      kind: 'the CA certificate as the leaf',
      body: asPem({ certificatePem: demoChain, privateKeyPem: demoKey }),
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'KEY_MISMATCH',
    },
    {
      kind: 'PKCS#12 with a wrong password',
      body: asP12(demoPfx, 'not the password'),
      status: 400,
      code: 'CERTIFICATE_BAD_PASSWORD',
    },
    {
      kind: 'PKCS#12 protected, sent with an empty password',
      body: asP12(demoPfx, ''),
      status: 400,
      code: 'CERTIFICATE_BAD_PASSWORD',
    },
    {
      kind: 'PKCS#12: base64 of random bytes',
      body: asP12(randomBytes(2048).toString('base64'), 'x'),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'PKCS#12: an ASN.1 length of 2 GB',
      body: asP12(lengthBomb.toString('base64'), 'x'),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'PKCS#12: ASN.1 nested 10,000 deep',
      body: asP12(nestingBomb.toString('base64'), 'x'),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'PKCS#12: not base64 at all',
      body: asP12('%%% not base64 %%%', 'x'),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      kind: 'PKCS#12: a PEM certificate where DER is expected',
      body: asP12(Buffer.from(demoCert).toString('base64'), 'x'),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    { kind: 'expired', body: expired, status: 422, code: 'CERTIFICATE_INVALID', problem: 'EXPIRED' },
    {
      kind: 'not yet valid',
      body: notYet,
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'NOT_YET_VALID',
    },
    {
      kind: 'self-signed',
      body: selfSigned,
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'UNTRUSTED_ROOT',
    },
    {
      kind: 'signed by a leaf (signWithLeaf)',
      body: leafSigned,
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'ISSUER_NOT_CA',
    },
    {
      kind: 'no clientAuth extended key usage',
      body: noClientAuth,
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'NO_CLIENT_AUTH',
    },
    {
      kind: 'without its chain',
      body: asPem({ certificatePem: other.certPem, privateKeyPem: other.keyPem }),
      status: 422,
      code: 'CERTIFICATE_INVALID',
      problem: 'CHAIN_INCOMPLETE',
    },
    {
      kind: 'a PEM field over 64 KiB',
      body: asPem({ certificatePem: demoCert, privateKeyPem: demoKey, chainPem: demoChain.repeat(60) }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      kind: 'an upload over 1 MB',
      raw: JSON.stringify(
        asPem({ certificatePem: demoCert, privateKeyPem: demoKey, name: 'x'.repeat(1_100_000) }),
      ),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      kind: 'an empty certificate field',
      body: asPem({ certificatePem: '', privateKeyPem: demoKey }),
      status: 400,
      code: 'CERTIFICATE_UNREADABLE',
    },
    {
      kind: 'a service-account Live ID that is not an email',
      body: asPem({ certificatePem: demoCert, privateKeyPem: demoKey, serviceAccountLiveId: "x' OR 1=1 --" }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
  ];

  let weak: HostileCertificate | null = null;
  if (opensslAvailable()) {
    const dir = mkdtempSync(join(tmpdir(), 'onbehalf-hostile-cert-'));
    try {
      const f = (n: string) => join(dir, n);
      const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
      writeFileSync(
        f('ext.cnf'),
        'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
      );
      run(
        'req',
        '-new',
        '-newkey',
        'rsa:1024',
        '-nodes',
        '-keyout',
        f('weak.key'),
        '-subj',
        '/CN=weak-1024',
        '-out',
        f('weak.csr'),
      );
      run(
        'x509',
        '-req',
        '-in',
        f('weak.csr'),
        '-CA',
        join(pkiDir, 'intermediate.crt.pem'),
        '-CAkey',
        join(pkiDir, 'intermediate.key.pem'),
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-days',
        '90',
        '-sha256',
        '-extfile',
        f('ext.cnf'),
        '-out',
        f('weak.crt'),
      );
      weak = {
        kind: 'a 1024-bit RSA key',
        body: asPem({
          certificatePem: readFileSync(f('weak.crt'), 'utf8'),
          privateKeyPem: readFileSync(f('weak.key'), 'utf8'),
          chainPem: demoChain,
        }),
        status: 422,
        code: 'CERTIFICATE_INVALID',
        problem: 'KEY_TOO_SHORT',
      };
      // Two certificates and no key: what an export "without the private key" gives.
      writeFileSync(f('two.pem'), demoCert + demoChain);
      run(
        'pkcs12',
        '-export',
        '-nokeys',
        '-in',
        f('two.pem'),
        '-out',
        f('two.p12'),
        '-passout',
        'pass:two-certs',
        '-certpbe',
        'PBE-SHA1-3DES',
        '-macalg',
        'sha1',
      );
      refused.push({
        kind: 'PKCS#12 holding two certificates and no key',
        body: asP12(readFileSync(f('two.p12')).toString('base64'), 'two-certs'),
        status: 400,
        code: 'CERTIFICATE_NO_KEY',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { refused, weak };
}
