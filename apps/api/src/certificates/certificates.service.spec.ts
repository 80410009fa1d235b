import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CertificateBundle, isCrmAuthError } from '@onbehalf/crm-auth';
import {
  createCertificate,
  createPkcs12,
  generateRsaKeyPair,
  type KeyPair,
  privateKeyToPem,
} from '@onbehalf/emulator/dist/pki/certificate-factory';
import type { EntityManager } from 'typeorm';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminAuditRepository } from '../admin-audit/admin-audit.repository';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { DomainException } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import type { AppConfig } from '../config/app-config';
import type { JobDefinition, JobsService } from '../jobs/jobs.service';
import { SecretBox } from '../secrets/secret-box';
import type { CertificateEntity } from './certificate.entity';
import type {
  CertificateUser,
  CertificatesRepository,
  CertificateWithKey,
  NewCertificateRow,
} from './certificates.repository';
import { CertificatesService } from './certificates.service';
import type { UploadCertificateDto } from './dto/upload-certificate.dto';

const DAY = 86_400_000;
const ACCOUNT = 'erp_integration@contoso-isv.example';
const ctx: RequestContext = {
  principal: {
    userId: 'u-1',
    email: 'admin@example.test',
    role: 'admin',
    sessionId: 's-1',
  } as RequestContext['principal'],
  requestId: 'r-1',
  ip: null,
  userAgent: null,
};

/** An admin_audit_log row as AdminAuditRepository hands it to TypeORM (its entity is the audit context's). */
type AuditRow = { action?: string; target?: string | null; diff?: Record<string, unknown> | null } & Record<
  string,
  unknown
>;

/** The admin_audit_log table as AdminAuditRepository uses it to record: it can only insert a row. */
function auditTable(rows: AuditRow[]): ConstructorParameters<typeof AdminAuditRepository>[0] {
  return { insert: async (row: AuditRow) => void rows.push(row) } as unknown as ConstructorParameters<
    typeof AdminAuditRepository
  >[0];
}

/** An EntityManager that can only do what AdminAuditRepository.insert does in a transaction: insert an audit row. */
function auditManager(rows: AuditRow[]): EntityManager {
  return { getRepository: () => auditTable(rows) } as unknown as EntityManager;
}

/**
 * The repository in memory: the same methods, rows in a Map, and a transaction that rolls back
 * what its callback wrote when it throws (certificate rows and the audit rows written through its manager).
 */
class InMemoryCertificatesRepository implements Pick<CertificatesRepository, keyof CertificatesRepository> {
  rows = new Map<string, CertificateWithKey>();
  users = new Map<string, CertificateUser[]>();
  private clock = Date.UTC(2026, 0, 1);

  constructor(private readonly auditLog: AuditRow[]) {}

  async transaction<T>(work: (tx: CertificatesRepository, manager: EntityManager) => Promise<T>): Promise<T> {
    const before = new Map([...this.rows].map(([k, v]) => [k, { ...v }]));
    const audited: AuditRow[] = [];
    try {
      const out = await work(this as unknown as CertificatesRepository, auditManager(audited));
      this.auditLog.push(...audited);
      return out;
    } catch (err) {
      this.rows = before;
      throw err;
    }
  }
  async list(): Promise<CertificateEntity[]> {
    return [...this.rows.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(withoutKey);
  }
  async findById(id: string): Promise<CertificateEntity | null> {
    const r = this.rows.get(id);
    return r ? withoutKey(r) : null;
  }
  async findByThumbprintSha256(t: string): Promise<CertificateEntity | null> {
    const r = [...this.rows.values()].find((x) => x.thumbprintSha256 === t);
    return r ? withoutKey(r) : null;
  }
  async findWithKey(id: string): Promise<CertificateWithKey | null> {
    return this.rows.get(id) ?? null;
  }
  async insert(row: NewCertificateRow): Promise<void> {
    this.clock += 1000;
    this.rows.set(row.id, {
      ...row,
      expiryWarnedDays: null,
      createdAt: new Date(this.clock),
      updatedAt: new Date(this.clock),
    });
  }
  async delete(id: string): Promise<void> {
    this.rows.delete(id);
  }
  async setExpiryWarned(id: string, days: number): Promise<void> {
    const r = this.rows.get(id);
    if (r) r.expiryWarnedDays = days;
  }
  async usersOf(id: string): Promise<CertificateUser[]> {
    return this.users.get(id) ?? [];
  }
}

/** Reads never see the sealed key (the entity's column is `select: false`). */
function withoutKey(r: CertificateWithKey): CertificateEntity {
  const { privateKeyEnc: _sealed, ...rest } = r;
  return rest as CertificateEntity;
}

interface Pki {
  rootPem: string;
  rootKey: KeyPair;
  leaf(opts?: {
    notAfter?: Date;
    clientAuth?: boolean;
    commonName?: string;
    organization?: string;
    organizationalUnit?: string;
    /** The leaf's own key pair (default: one 2048-bit key shared by this PKI's leaves). */
    keyPair?: KeyPair;
  }): Promise<{ certPem: string; keyPem: string }>;
}

async function testPki(rootName = 'Unit Test Root'): Promise<Pki> {
  const rootKey = await generateRsaKeyPair();
  const now = Date.now();
  const rootPem = createCertificate({
    commonName: rootName,
    publicKey: rootKey.publicKey,
    signingKey: rootKey.privateKey,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    ca: {},
  });
  const leafKey = await generateRsaKeyPair();
  return {
    rootPem,
    rootKey,
    async leaf(opts = {}) {
      const key = opts.keyPair ?? leafKey;
      const certPem = createCertificate({
        commonName: opts.commonName ?? 'ERP Integration',
        ...(opts.organization ? { organization: opts.organization } : {}),
        ...(opts.organizationalUnit ? { organizationalUnit: opts.organizationalUnit } : {}),
        publicKey: key.publicKey,
        signingKey: rootKey.privateKey,
        issuer: { certPem: rootPem },
        notBefore: new Date(now - DAY),
        notAfter: opts.notAfter ?? new Date(now + 365 * DAY),
        extendedKeyUsage: opts.clientAuth === false ? ['serverAuth'] : ['clientAuth'],
      });
      return { certPem, keyPem: privateKeyToPem(key.privateKey) };
    },
  };
}

/** A leaf signed by an intermediate CA that the root signed: the intermediate travels as the chain. */
async function leafUnderIntermediate(pki: Pki) {
  const now = Date.now();
  const caKey = await generateRsaKeyPair();
  const intermediatePem = createCertificate({
    commonName: 'Unit Test Issuing CA',
    publicKey: caKey.publicKey,
    signingKey: pki.rootKey.privateKey,
    issuer: { certPem: pki.rootPem },
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 1000 * DAY),
    ca: {},
  });
  const leafKey = await generateRsaKeyPair();
  const certPem = createCertificate({
    commonName: 'ERP Integration (issued)',
    publicKey: leafKey.publicKey,
    signingKey: caKey.privateKey,
    issuer: { certPem: intermediatePem },
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    extendedKeyUsage: ['clientAuth'],
  });
  return { certPem, keyPem: privateKeyToPem(leafKey.privateKey), intermediatePem };
}

const pem = (c: { certPem: string; keyPem: string }, name?: string): UploadCertificateDto =>
  ({
    format: 'pem',
    serviceAccountLiveId: ` ${ACCOUNT.toUpperCase()} `,
    certificatePem: c.certPem,
    privateKeyPem: c.keyPem,
    ...(name ? { name } : {}),
  }) as UploadCertificateDto;

interface Refusal {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The DomainException a call ends with, as the client sees it: status, code, message, details. */
async function refusal(p: Promise<unknown>): Promise<Refusal> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainException)
      return {
        status: err.status,
        code: err.code,
        message: err.message,
        ...(err.details ? { details: err.details } : {}),
      };
    throw err;
  }
  throw new Error('expected a DomainException');
}

/** A context without a signed-in user (the type allows it; e.g. an in-process caller). */
const noPrincipal: RequestContext = { principal: null, requestId: '', ip: null, userAgent: null };

describe('CertificatesService over an in-memory repository (no Postgres)', () => {
  let pki: Pki;
  let repo: InMemoryCertificatesRepository;
  let audit: AuditRow[];
  let jobs: JobDefinition[];
  let box: SecretBox;
  let service: CertificatesService;

  beforeAll(async () => {
    pki = await testPki();
  });

  /** A service over this test's repository, audit log, jobs and key box; the roots are this PKI's, plus `settings`. */
  const serviceWith = (settings: Partial<AppConfig> = {}): CertificatesService => {
    // The real audit service: outside a transaction it writes through its own repository.
    const auditService = new AdminAuditService(new AdminAuditRepository(auditTable(audit)));
    const jobsFake: Pick<JobsService, 'register'> = { register: (job) => void jobs.push(job) };
    const config: Partial<AppConfig> = { supportedRootPems: [pki.rootPem], ...settings };
    return new CertificatesService(
      repo as unknown as CertificatesRepository,
      config as AppConfig,
      box,
      auditService,
      jobsFake as JobsService,
    );
  };

  beforeEach(() => {
    audit = [];
    repo = new InMemoryCertificatesRepository(audit);
    jobs = [];
    box = new SecretBox(new Map([['k1', randomBytes(32)]]), 'k1');
    service = serviceWith();
  });

  describe('upload', () => {
    it('stores a usable certificate with its key sealed, returns it without the key, and audits the upload', async () => {
      const leaf = await pki.leaf();
      const view = await service.upload(pem(leaf), ctx);
      expect(view.status).toBe('valid');
      expect(view.serviceAccountLiveId).toBe(ACCOUNT);
      expect(view.name).toBe('ERP Integration');
      expect(view.chain.map((l) => l.isPinned)).toEqual([false, true]);
      expect(JSON.stringify(view)).not.toContain('PRIVATE KEY');
      const stored = repo.rows.get(view.id)!;
      expect(stored.privateKeyEnc.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
      expect(stored.kekId).toBe('k1');
      expect(stored.createdBy).toBe('u-1');
      expect(audit).toEqual([
        expect.objectContaining({
          action: 'certificate.upload',
          target: view.id,
          outcome: 'success',
          actorId: 'u-1',
          diff: { thumbprintSha1Hex: view.thumbprintSha1Hex, subject: view.subject },
        }),
      ]);
      const bundle = await service.loadBundle(view.id);
      expect(bundle.thumbprintSha256).toBe(view.thumbprintSha256);
    });

    it('stores the name given with its surrounding spaces trimmed, and the certificate CN for a blank one', async () => {
      const named = await service.upload(pem(await pki.leaf(), '  Payroll connector  '), ctx);
      expect(named.name).toBe('Payroll connector');
      expect(repo.rows.get(named.id)!.name).toBe('Payroll connector');
      const blank = await service.upload(pem(await pki.leaf({ commonName: 'Blank Named' }), '   '), ctx);
      expect(blank.name).toBe('Blank Named');
    });

    it('names a certificate with no CN after its subject on one line, and one with an empty subject after its first four thumbprint bytes', async () => {
      const orgOnly = await service.upload(
        pem(await pki.leaf({ commonName: '', organization: 'Contoso Ltd', organizationalUnit: 'Sales' })),
        ctx,
      );
      expect(orgOnly.subject).toBe('O=Contoso Ltd\nOU=Sales');
      expect(orgOnly.name).toBe('O=Contoso Ltd, OU=Sales');
      const noSubject = await service.upload(pem(await pki.leaf({ commonName: '' })), ctx);
      expect(noSubject.subject).toBe('');
      expect(noSubject.name).toMatch(/^Certificate [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}$/);
      expect(noSubject.thumbprintSha1Hex.startsWith(noSubject.name.slice('Certificate '.length))).toBe(true);
    });

    it('records no creator when no user is signed in (createdBy and the audit actor are null)', async () => {
      const view = await service.upload(pem(await pki.leaf()), noPrincipal);
      expect(repo.rows.get(view.id)!.createdBy).toBeNull();
      expect(audit).toEqual([expect.objectContaining({ action: 'certificate.upload', actorId: null })]);
    });

    it('stores a certificate expiring within 30 days as expiring, with the EXPIRING_SOON warning', async () => {
      const view = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 10 * DAY) }), 'soon'),
        ctx,
      );
      expect(view.status).toBe('expiring');
      expect(view.daysToExpiry).toBe(9);
      expect(view.problems.map((p) => `${p.code}:${p.severity}`)).toEqual(['EXPIRING_SOON:warning']);
    });

    it('refuses an unusable certificate with 422 CERTIFICATE_INVALID and every problem, stores nothing, audits the failure with the problem codes', async () => {
      const r = await refusal(service.upload(pem(await pki.leaf({ clientAuth: false })), ctx));
      expect(r).toMatchObject({ status: 422, code: 'CERTIFICATE_INVALID' });
      expect(r.message).toMatch(/cannot be used/);
      const codes = (r.details?.['problems'] as { code: string }[]).map((p) => p.code);
      expect(codes).toContain('NO_CLIENT_AUTH');
      expect(repo.rows.size).toBe(0);
      expect(audit).toEqual([
        expect.objectContaining({
          action: 'certificate.upload',
          outcome: 'failure',
          target: r.details?.['thumbprintSha1Hex'],
          diff: { problems: codes },
        }),
      ]);
    });

    it('refuses a certificate of another CA: CHAIN_INCOMPLETE without its root, UNTRUSTED_ROOT with it, BAD_SIGNATURE under the name of a supported root (422 each)', async () => {
      const other = await testPki('Another Root');
      const leaf = await other.leaf();
      const problems = async (dto: UploadCertificateDto) => {
        const r = await refusal(service.upload(dto, ctx));
        expect(r).toMatchObject({ status: 422, code: 'CERTIFICATE_INVALID' });
        return (r.details?.['problems'] as { code: string }[]).map((p) => p.code);
      };
      expect(await problems(pem(leaf))).toContain('CHAIN_INCOMPLETE');
      expect(await problems({ ...pem(leaf), chainPem: other.rootPem } as UploadCertificateDto)).toContain(
        'UNTRUSTED_ROOT',
      );
      // A CA whose name matches a supported root's but whose key does not: the signature check catches it.
      const impostor = await testPki('Unit Test Root');
      expect(await problems(pem(await impostor.leaf()))).toContain('BAD_SIGNATURE');
      expect(repo.rows.size).toBe(0);
    });

    it('refuses the same certificate twice with 409 CERTIFICATE_EXISTS naming the first, and keeps one row and one audit entry', async () => {
      const leaf = await pki.leaf();
      const first = await service.upload(pem(leaf, 'first'), ctx);
      const r = await refusal(service.upload(pem(leaf, 'again'), ctx));
      expect(r).toMatchObject({ status: 409, code: 'CERTIFICATE_EXISTS', details: { id: first.id } });
      expect(r.message).toMatch(/already uploaded as "first"/);
      expect(repo.rows.size).toBe(1);
      expect(audit.map((e) => e.target)).toEqual([first.id]);
    });

    it("answers unreadable input with 400 CERTIFICATE_UNREADABLE and crm-auth's reason", async () => {
      const certificatePem = 'not a certificate';
      let reason = '';
      try {
        CertificateBundle.fromPem({ certificatePem, privateKeyPem: certificatePem });
      } catch (err) {
        if (isCrmAuthError(err)) reason = err.message;
      }
      expect(reason).not.toBe('');
      const r = await refusal(
        service.upload(
          { format: 'pem', serviceAccountLiveId: ACCOUNT, certificatePem } as UploadCertificateDto,
          ctx,
        ),
      );
      expect(r).toEqual({
        status: 400,
        code: 'CERTIFICATE_UNREADABLE',
        message: `The certificate could not be read: ${reason}`,
      });
    });

    it('answers a PKCS#12 upload without its file with 400 CERTIFICATE_UNREADABLE saying the file is empty', async () => {
      const r = await refusal(
        service.upload({ format: 'pkcs12', serviceAccountLiveId: ACCOUNT } as UploadCertificateDto, ctx),
      );
      expect(r).toMatchObject({ status: 400, code: 'CERTIFICATE_UNREADABLE' });
      expect(r.message).toMatch(/could not be read: .*empty/);
    });

    it('answers a failure that is not a crm-auth error with 400 CERTIFICATE_UNREADABLE, without its text', async () => {
      // Not reachable through the validated DTO; a runtime error (here Buffer.from on a number) must still be a 400.
      const dto = { format: 'pkcs12', serviceAccountLiveId: ACCOUNT, pkcs12Base64: 42 };
      const r = await refusal(service.upload(dto as unknown as UploadCertificateDto, ctx));
      expect(r).toEqual({
        status: 400,
        code: 'CERTIFICATE_UNREADABLE',
        message: 'The certificate could not be read.',
      });
    });

    it('answers a certificate without its key with 400 CERTIFICATE_NO_KEY saying the private key is missing', async () => {
      const leaf = await pki.leaf();
      const r = await refusal(
        service.upload(
          {
            format: 'pem',
            serviceAccountLiveId: ACCOUNT,
            certificatePem: leaf.certPem,
          } as UploadCertificateDto,
          ctx,
        ),
      );
      expect(r).toMatchObject({ status: 400, code: 'CERTIFICATE_NO_KEY' });
      expect(r.message).toMatch(/No private key was found/);
    });

    it('answers a wrong PKCS#12 password with 400 CERTIFICATE_BAD_PASSWORD saying the password is wrong, and takes the right one', async () => {
      const leaf = await pki.leaf();
      const p12 = createPkcs12(leaf.keyPem, leaf.certPem, [pki.rootPem], 'right horse').toString('base64');
      const dto = (password: string) =>
        ({
          format: 'pkcs12',
          serviceAccountLiveId: ACCOUNT,
          pkcs12Base64: p12,
          password,
        }) as UploadCertificateDto;
      const r = await refusal(service.upload(dto('wrong'), ctx));
      expect(r).toMatchObject({ status: 400, code: 'CERTIFICATE_BAD_PASSWORD' });
      expect(r.message).toMatch(/PKCS#12 password is wrong/);
      expect((await service.upload(dto('right horse'), ctx)).status).toBe('valid');
    });

    it('reads a PKCS#12 file sent without a password with the empty password', async () => {
      const leaf = await pki.leaf();
      const p12 = createPkcs12(leaf.keyPem, leaf.certPem, [pki.rootPem], '').toString('base64');
      const view = await service.upload(
        { format: 'pkcs12', serviceAccountLiveId: ACCOUNT, pkcs12Base64: p12 } as UploadCertificateDto,
        ctx,
      );
      expect(view.status).toBe('valid');
    });

    it('answers an encrypted PEM private key with 400 CERTIFICATE_BAD_PASSWORD saying to send it unencrypted or as PKCS#12', async () => {
      const leaf = await pki.leaf();
      const encrypted = createPrivateKey(leaf.keyPem)
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
        .toString();
      const r = await refusal(service.upload(pem({ certPem: leaf.certPem, keyPem: encrypted }), ctx));
      expect(r).toMatchObject({ status: 400, code: 'CERTIFICATE_BAD_PASSWORD' });
      expect(r.message).toMatch(/private key is encrypted: send it unencrypted, or upload the PKCS#12/);
    });
  });

  describe('short RSA keys and ONBEHALF_ALLOW_LEGACY_RSA_KEYS (allowLegacyRsaKeys)', () => {
    /** What the logging backend is handed for each warning: the message, then the logger's context. */
    let warnings: unknown[][];
    let shortKey: KeyPair;

    beforeAll(() => {
      shortKey = generateKeyPairSync('rsa', { modulusLength: 1024 });
    });

    beforeEach(() => {
      warnings = [];
      Logger.overrideLogger({
        log: () => undefined,
        error: () => undefined,
        warn: (...args: unknown[]) => void warnings.push(args),
      });
    });

    afterEach(() => {
      Logger.overrideLogger(new Logger()); // back to Nest's default: a console logger per context
    });

    const keyTooShort = (problems: { code: string; severity: string; message: string }[]) =>
      problems.filter((p) => p.code === 'KEY_TOO_SHORT');

    it('with it on, stores a 1024-bit RSA certificate with the KEY_TOO_SHORT warning, audits its message as legacyRsaKeys, and warns under the certificates logger naming the certificate, account and thumbprint', async () => {
      const legacy = serviceWith({ allowLegacyRsaKeys: true });
      const view = await legacy.upload(pem(await pki.leaf({ keyPair: shortKey })), ctx);
      expect(view.status).toBe('valid');
      expect(view.problems).toEqual([
        { code: 'KEY_TOO_SHORT', severity: 'warning', message: expect.stringMatching(/1024-bit RSA key/) },
      ]);
      const message = view.problems[0]!.message;
      expect(repo.rows.size).toBe(1);
      expect(audit).toEqual([
        expect.objectContaining({
          action: 'certificate.upload',
          target: view.id,
          outcome: 'success',
          diff: {
            thumbprintSha1Hex: view.thumbprintSha1Hex,
            subject: view.subject,
            legacyRsaKeys: [message],
          },
        }),
      ]);
      expect(warnings).toEqual([
        [
          `certificate ${view.id} (service account ${ACCOUNT}, thumbprint ${view.thumbprintSha1Hex}) ` +
            `accepted under ONBEHALF_ALLOW_LEGACY_RSA_KEYS: ${message}`,
          'certificates',
        ],
      ]);
    });

    it('with it on, a short key that also expires soon: legacyRsaKeys and the log hold the KEY_TOO_SHORT message only, not the EXPIRING_SOON one', async () => {
      const legacy = serviceWith({ allowLegacyRsaKeys: true });
      const view = await legacy.upload(
        pem(await pki.leaf({ keyPair: shortKey, notAfter: new Date(Date.now() + 10 * DAY) })),
        ctx,
      );
      expect(view.problems.map((p) => `${p.code}:${p.severity}`).sort()).toEqual([
        'EXPIRING_SOON:warning',
        'KEY_TOO_SHORT:warning',
      ]);
      const [short] = keyTooShort(view.problems);
      expect(audit.map((e) => e.diff?.['legacyRsaKeys'])).toEqual([[short!.message]]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]![0]).toMatch(/accepted under ONBEHALF_ALLOW_LEGACY_RSA_KEYS: .*1024-bit RSA key/);
      expect(warnings[0]![0]).not.toMatch(/expir/i);
    });

    it('with it on, a 2048-bit certificate with another warning (EXPIRING_SOON) is audited without legacyRsaKeys and logs no warning', async () => {
      const legacy = serviceWith({ allowLegacyRsaKeys: true });
      const view = await legacy.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 10 * DAY) })),
        ctx,
      );
      expect(view.problems.map((p) => p.code)).toEqual(['EXPIRING_SOON']);
      expect(audit.map((e) => e.diff)).toEqual([
        { thumbprintSha1Hex: view.thumbprintSha1Hex, subject: view.subject },
      ]);
      expect(warnings).toEqual([]);
    });

    it.each([
      ['absent', {}],
      ['off (false)', { allowLegacyRsaKeys: false }],
      ['a truthy non-boolean ("yes")', { allowLegacyRsaKeys: 'yes' as unknown as boolean }],
    ])(
      'with it %s, refuses a 1024-bit RSA certificate: 422 CERTIFICATE_INVALID with the KEY_TOO_SHORT error, nothing stored, no warning',
      async (_label, settings: Partial<AppConfig>) => {
        const strict = serviceWith(settings);
        const r = await refusal(strict.upload(pem(await pki.leaf({ keyPair: shortKey })), ctx));
        expect(r).toMatchObject({ status: 422, code: 'CERTIFICATE_INVALID' });
        expect(
          keyTooShort(r.details?.['problems'] as { code: string; severity: string; message: string }[]),
        ).toEqual([
          { code: 'KEY_TOO_SHORT', severity: 'error', message: expect.stringMatching(/1024-bit RSA key/) },
        ]);
        expect(repo.rows.size).toBe(0);
        expect(audit).toEqual([
          expect.objectContaining({ outcome: 'failure', diff: { problems: ['KEY_TOO_SHORT'] } }),
        ]);
        expect(warnings).toEqual([]);
      },
    );
  });

  describe('status, read at the time of reading', () => {
    it('turns a stored valid certificate expiring and then invalid as its notAfter nears and passes', async () => {
      const view = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 100 * DAY) })),
        ctx,
      );
      const notAfter = Date.parse(view.notAfter);
      expect((await service.get(view.id, notAfter - 40 * DAY)).status).toBe('valid');
      expect((await service.get(view.id, notAfter - 20 * DAY)).status).toBe('expiring');
      expect((await service.get(view.id, notAfter + 1)).status).toBe('invalid');
    });

    it('shows a stored invalid certificate expiring within 30 days as invalid on its page, in the list and in the summaries', async () => {
      const view = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 20 * DAY) })),
        ctx,
      );
      repo.rows.get(view.id)!.status = 'invalid'; // e.g. revalidated after its root was withdrawn
      expect((await service.get(view.id)).status).toBe('invalid');
      expect((await service.list()).map((c) => c.status)).toEqual(['invalid']);
      expect(await service.summaries()).toEqual([
        { id: view.id, name: view.name, notAfter: view.notAfter, daysToExpiry: 19, status: 'invalid' },
      ]);
    });
  });

  describe('list and get', () => {
    it('lists newest first, and a certificate page names the orgs that use it', async () => {
      const a = await service.upload(pem(await pki.leaf(), 'a'), ctx);
      const b = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 200 * DAY) }), 'b'),
        ctx,
      );
      expect((await service.list()).map((c) => c.name)).toEqual(['b', 'a']);
      repo.users.set(a.id, [{ id: 'o-1', friendlyName: 'Contoso', role: 'active' }]);
      expect((await service.get(a.id)).orgs).toEqual([
        { id: 'o-1', friendlyName: 'Contoso', role: 'active' },
      ]);
      expect((await service.get(b.id)).orgs).toEqual([]);
    });

    it('answers an unknown id with 404 CERTIFICATE_NOT_FOUND saying there is no such certificate (page and private-key load)', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      const notFound = {
        status: 404,
        code: 'CERTIFICATE_NOT_FOUND',
        message: expect.stringMatching(/No certificate with this id/),
      };
      expect(await refusal(service.get(id))).toEqual(notFound);
      expect(await refusal(service.loadBundle(id))).toEqual(notFound);
    });
  });

  describe('the private key for TLS (loadBundle)', () => {
    it('gives back the bundle with the intermediate uploaded as its chain', async () => {
      const issued = await leafUnderIntermediate(pki);
      const view = await service.upload(
        { ...pem(issued), chainPem: issued.intermediatePem } as UploadCertificateDto,
        ctx,
      );
      expect(view.status).toBe('valid');
      const bundle = await service.loadBundle(view.id);
      expect(bundle.chain.map((c) => c.subject)).toEqual(['CN=Unit Test Issuing CA']);
      expect(bundle.privateKeyPem).toBe(
        createPrivateKey(issued.keyPem).export({ type: 'pkcs8', format: 'pem' }),
      );
    });

    it('gives back a bundle without a chain for a certificate uploaded without one', async () => {
      const view = await service.upload(pem(await pki.leaf()), ctx);
      expect((await service.loadBundle(view.id)).chain).toEqual([]);
    });

    it("refuses another row's sealed key with 500 SECRET_UNREADABLE naming the certificate: a key is sealed for its row", async () => {
      const a = await service.upload(pem(await pki.leaf(), 'a'), ctx);
      const b = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 200 * DAY) }), 'b'),
        ctx,
      );
      repo.rows.get(b.id)!.privateKeyEnc = repo.rows.get(a.id)!.privateKeyEnc;
      const r = await refusal(service.loadBundle(b.id));
      expect(r).toMatchObject({ status: 500, code: 'SECRET_UNREADABLE' });
      expect(r.message).toMatch(new RegExp(`private key of certificate ${b.id} cannot be decrypted: \\S`));
      expect((await service.loadBundle(a.id)).thumbprintSha256).toBe(a.thumbprintSha256);
    });
  });

  describe('remove', () => {
    it('refuses a certificate still used by orgs with 409 CERTIFICATE_IN_USE naming each org, and keeps it', async () => {
      const view = await service.upload(pem(await pki.leaf()), ctx);
      repo.users.set(view.id, [
        { id: 'o-1', friendlyName: 'Contoso', role: 'staged' },
        { id: 'o-2', friendlyName: 'Fabrikam', role: 'active' },
      ]);
      const r = await refusal(service.remove(view.id, ctx));
      expect(r).toMatchObject({
        status: 409,
        code: 'CERTIFICATE_IN_USE',
        details: {
          orgs: [
            { id: 'o-1', friendlyName: 'Contoso' },
            { id: 'o-2', friendlyName: 'Fabrikam' },
          ],
        },
      });
      expect(r.message).toMatch(
        /still used by Contoso, Fabrikam\. Rotate those orgs to another certificate first/,
      );
      expect(repo.rows.has(view.id)).toBe(true);
      expect(audit.filter((e) => e.action === 'certificate.delete')).toEqual([]);
    });

    it('deletes an unused certificate and audits it with its thumbprint; an unknown id is 404', async () => {
      const view = await service.upload(pem(await pki.leaf()), ctx);
      await service.remove(view.id, ctx);
      expect(repo.rows.size).toBe(0);
      expect(audit.at(-1)).toMatchObject({
        action: 'certificate.delete',
        target: view.id,
        outcome: 'success',
        actorId: 'u-1',
        diff: { thumbprintSha1Hex: view.thumbprintSha1Hex },
      });
      expect(await refusal(service.remove(view.id, ctx))).toEqual({
        status: 404,
        code: 'CERTIFICATE_NOT_FOUND',
        message: expect.stringMatching(/No certificate with this id/),
      });
    });
  });

  describe('expiry warnings (the hourly job)', () => {
    it('registers the job to run every hour', () => {
      expect(jobs.map((j) => [j.name, j.everyMs])).toEqual([['certificate-expiry-warnings', 60 * 60 * 1000]]);
    });

    it('the job warns of the certificates that crossed a threshold and reports them as its result', async () => {
      const view = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 10.5 * DAY) }), 'soon'),
        ctx,
      );
      expect(await jobs[0]!.run()).toEqual({ warned: [{ id: view.id, name: 'soon', days: 11 }] });
      expect(await jobs[0]!.run()).toEqual({ warned: [] });
    });

    it('warns once per threshold crossed: 30, then 7, then 1 day', async () => {
      const view = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 60 * DAY) })),
        ctx,
      );
      const notAfter = Date.parse(view.notAfter);
      const at = (daysBefore: number) => new Date(notAfter - daysBefore * DAY);
      expect(await service.warnExpiring(at(40))).toEqual([]);
      expect(await service.warnExpiring(at(29.5))).toEqual([{ id: view.id, name: view.name, days: 30 }]);
      expect(await service.warnExpiring(at(20))).toEqual([]);
      expect(await service.warnExpiring(at(6.5))).toEqual([{ id: view.id, name: view.name, days: 7 }]);
      expect(await service.warnExpiring(at(0.5))).toEqual([{ id: view.id, name: view.name, days: 1 }]);
      expect(await service.warnExpiring(at(0.25))).toEqual([]);
      expect(
        audit.filter((e) => e.action === 'certificate.expiry-warning').map((e) => e.diff?.['threshold']),
      ).toEqual([30, 7, 1]);
    });

    it('audits each warning as the system, outside any request: no actor, session, request id, address or agent', async () => {
      const view = await service.upload(
        pem(await pki.leaf({ notAfter: new Date(Date.now() + 60 * DAY) })),
        ctx,
      );
      await service.warnExpiring(new Date(Date.parse(view.notAfter) - 6.5 * DAY));
      expect(audit.filter((e) => e.action === 'certificate.expiry-warning')).toEqual([
        {
          actorId: null,
          actorEmail: 'system',
          sessionId: null,
          ip: null,
          userAgent: null,
          requestId: null,
          orgId: null,
          action: 'certificate.expiry-warning',
          target: view.id,
          outcome: 'success',
          diff: { daysToExpiry: 7, threshold: 7 },
        },
      ]);
    });
  });
});
