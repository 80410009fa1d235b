import { randomBytes } from 'node:crypto';
import {
  createCertificate,
  createPkcs12,
  generateRsaKeyPair,
  privateKeyToPem,
} from '@onbehalf/emulator/dist/pki/certificate-factory';
import type { EntityManager } from 'typeorm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdminAuditEntry, AdminAuditService } from '../admin-audit/admin-audit.service';
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

/**
 * The repository in memory: the same methods, rows in a Map, and a transaction that rolls back
 * what its callback wrote when it throws.
 */
class InMemoryCertificatesRepository implements Pick<CertificatesRepository, keyof CertificatesRepository> {
  rows = new Map<string, CertificateWithKey>();
  users = new Map<string, CertificateUser[]>();
  private clock = Date.UTC(2026, 0, 1);

  async transaction<T>(work: (tx: CertificatesRepository, manager: EntityManager) => Promise<T>): Promise<T> {
    const before = new Map([...this.rows].map(([k, v]) => [k, { ...v }]));
    try {
      return await work(this as unknown as CertificatesRepository, {} as EntityManager);
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
  leaf(opts?: {
    notAfter?: Date;
    clientAuth?: boolean;
    commonName?: string;
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
    async leaf(opts = {}) {
      const certPem = createCertificate({
        commonName: opts.commonName ?? 'ERP Integration',
        publicKey: leafKey.publicKey,
        signingKey: rootKey.privateKey,
        issuer: { certPem: rootPem },
        notBefore: new Date(now - DAY),
        notAfter: opts.notAfter ?? new Date(now + 365 * DAY),
        extendedKeyUsage: opts.clientAuth === false ? ['serverAuth'] : ['clientAuth'],
      });
      return { certPem, keyPem: privateKeyToPem(leafKey.privateKey) };
    },
  };
}

const pem = (c: { certPem: string; keyPem: string }, name?: string): UploadCertificateDto =>
  ({
    format: 'pem',
    serviceAccountLiveId: ` ${ACCOUNT.toUpperCase()} `,
    certificatePem: c.certPem,
    privateKeyPem: c.keyPem,
    ...(name ? { name } : {}),
  }) as UploadCertificateDto;

async function codeOf(
  p: Promise<unknown>,
): Promise<{ status: number; code: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainException)
      return { status: err.status, code: err.code, ...(err.details ? { details: err.details } : {}) };
    throw err;
  }
  throw new Error('expected a DomainException');
}

describe('CertificatesService over an in-memory repository (no Postgres)', () => {
  let pki: Pki;
  let repo: InMemoryCertificatesRepository;
  let audit: AdminAuditEntry[];
  let jobs: JobDefinition[];
  let box: SecretBox;
  let service: CertificatesService;

  beforeAll(async () => {
    pki = await testPki();
  });

  beforeEach(() => {
    repo = new InMemoryCertificatesRepository();
    audit = [];
    jobs = [];
    box = new SecretBox(new Map([['k1', randomBytes(32)]]), 'k1');
    const auditFake: Pick<AdminAuditService, 'record'> = {
      record: async (_ctx, entry) => void audit.push(entry),
    };
    const jobsFake: Pick<JobsService, 'register'> = { register: (job) => void jobs.push(job) };
    const config: Pick<AppConfig, 'supportedRootPems'> = { supportedRootPems: [pki.rootPem] };
    service = new CertificatesService(
      repo as unknown as CertificatesRepository,
      config as AppConfig,
      box,
      auditFake as AdminAuditService,
      jobsFake as JobsService,
    );
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
      expect(audit).toEqual([expect.objectContaining({ action: 'certificate.upload', target: view.id })]);
      const bundle = await service.loadBundle(view.id);
      expect(bundle.thumbprintSha256).toBe(view.thumbprintSha256);
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

    it('refuses an unusable certificate with 422 CERTIFICATE_INVALID and every problem, stores nothing, audits the failure', async () => {
      const r = await codeOf(service.upload(pem(await pki.leaf({ clientAuth: false })), ctx));
      expect(r).toMatchObject({ status: 422, code: 'CERTIFICATE_INVALID' });
      expect((r.details?.['problems'] as { code: string }[]).map((p) => p.code)).toContain('NO_CLIENT_AUTH');
      expect(repo.rows.size).toBe(0);
      expect(audit).toEqual([expect.objectContaining({ action: 'certificate.upload', outcome: 'failure' })]);
    });

    it('refuses a certificate of another CA: CHAIN_INCOMPLETE without its root, UNTRUSTED_ROOT with it, BAD_SIGNATURE under the name of a supported root (422 each)', async () => {
      const other = await testPki('Another Root');
      const leaf = await other.leaf();
      const problems = async (dto: UploadCertificateDto) => {
        const r = await codeOf(service.upload(dto, ctx));
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

    it('refuses the same certificate twice with 409 CERTIFICATE_EXISTS naming the first, and keeps one row', async () => {
      const leaf = await pki.leaf();
      const first = await service.upload(pem(leaf, 'first'), ctx);
      const r = await codeOf(service.upload(pem(leaf, 'again'), ctx));
      expect(r).toEqual({ status: 409, code: 'CERTIFICATE_EXISTS', details: { id: first.id } });
      expect(repo.rows.size).toBe(1);
    });

    it('answers unreadable input with 400 CERTIFICATE_UNREADABLE', async () => {
      const r = await codeOf(
        service.upload(
          {
            format: 'pem',
            serviceAccountLiveId: ACCOUNT,
            certificatePem: 'not a certificate',
          } as UploadCertificateDto,
          ctx,
        ),
      );
      expect(r).toMatchObject({ status: 400, code: 'CERTIFICATE_UNREADABLE' });
    });

    it('answers a certificate without its key with 400 CERTIFICATE_NO_KEY', async () => {
      const leaf = await pki.leaf();
      const r = await codeOf(
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
    });

    it('answers a wrong PKCS#12 password with 400 CERTIFICATE_BAD_PASSWORD, and takes the right one', async () => {
      const leaf = await pki.leaf();
      const p12 = createPkcs12(leaf.keyPem, leaf.certPem, [pki.rootPem], 'right horse').toString('base64');
      const dto = (password: string) =>
        ({
          format: 'pkcs12',
          serviceAccountLiveId: ACCOUNT,
          pkcs12Base64: p12,
          password,
        }) as UploadCertificateDto;
      expect(await codeOf(service.upload(dto('wrong'), ctx))).toMatchObject({
        status: 400,
        code: 'CERTIFICATE_BAD_PASSWORD',
      });
      expect((await service.upload(dto('right horse'), ctx)).status).toBe('valid');
    });
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

    it('answers an unknown id with 404 CERTIFICATE_NOT_FOUND (page and private-key load)', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      expect(await codeOf(service.get(id))).toEqual({ status: 404, code: 'CERTIFICATE_NOT_FOUND' });
      expect(await codeOf(service.loadBundle(id))).toEqual({ status: 404, code: 'CERTIFICATE_NOT_FOUND' });
    });

    it('answers a private key sealed for another row with 500 SECRET_UNREADABLE, not a bundle', async () => {
      const view = await service.upload(pem(await pki.leaf()), ctx);
      repo.rows.get(view.id)!.privateKeyEnc = box.seal(
        '-----BEGIN PRIVATE KEY-----',
        'certificate|another|private-key',
      );
      expect(await codeOf(service.loadBundle(view.id))).toMatchObject({
        status: 500,
        code: 'SECRET_UNREADABLE',
      });
    });
  });

  describe('remove', () => {
    it('refuses a certificate still used by an org with 409 CERTIFICATE_IN_USE naming the org, and keeps it', async () => {
      const view = await service.upload(pem(await pki.leaf()), ctx);
      repo.users.set(view.id, [{ id: 'o-1', friendlyName: 'Contoso', role: 'staged' }]);
      expect(await codeOf(service.remove(view.id, ctx))).toEqual({
        status: 409,
        code: 'CERTIFICATE_IN_USE',
        details: { orgs: [{ id: 'o-1', friendlyName: 'Contoso' }] },
      });
      expect(repo.rows.has(view.id)).toBe(true);
    });

    it('deletes an unused certificate and audits it; an unknown id is 404', async () => {
      const view = await service.upload(pem(await pki.leaf()), ctx);
      await service.remove(view.id, ctx);
      expect(repo.rows.size).toBe(0);
      expect(audit.at(-1)).toMatchObject({ action: 'certificate.delete', target: view.id });
      expect(await codeOf(service.remove(view.id, ctx))).toEqual({
        status: 404,
        code: 'CERTIFICATE_NOT_FOUND',
      });
    });
  });

  describe('expiry warnings (the hourly job)', () => {
    it('registers the job, and warns once per threshold crossed: 30, then 7, then 1 day', async () => {
      expect(jobs.map((j) => j.name)).toEqual(['certificate-expiry-warnings']);
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
  });
});
