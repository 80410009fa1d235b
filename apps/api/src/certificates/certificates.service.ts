import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CertificateBundle,
  type CertificateReport,
  DEFAULT_SUPPORTED_ROOTS,
  isCrmAuthError,
  type SupportedRoot,
  supportedRootFromPem,
} from '@onbehalf/crm-auth';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { badRequest, conflict, DomainException, notFound, unprocessable } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { SecretBox } from '../secrets/secret-box';
import type { CertificateEntity, StoredChainLink } from './certificate.entity';
import {
  certificateStatus,
  type CertificateStatus,
  daysToExpiry,
  EXPIRING_WITHIN_DAYS,
} from './certificate-status';
import {
  type CertificateUser,
  CertificatesRepository,
  type NewCertificateRow,
} from './certificates.repository';
import type { UploadCertificateDto } from './dto/upload-certificate.dto';

export const EXPIRY_WARNING_DAYS = [30, 7, 1] as const;

export interface CertificateView {
  id: string;
  name: string;
  serviceAccountLiveId: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  thumbprintSha1Hex: string;
  thumbprintSha1Base64: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  daysToExpiry: number;
  status: CertificateStatus;
  problems: { code: string; severity: 'error' | 'warning'; message: string }[];
  chain: StoredChainLink[];
  createdAt: string;
  orgs?: CertificateUser[];
}

/** What another context may know of a certificate at a glance (the overview). */
export type CertificateSummary = Pick<
  CertificateView,
  'id' | 'name' | 'notAfter' | 'daysToExpiry' | 'status'
>;

const keyAad = (id: string) => `certificate|${id}|private-key`;

/**
 * The name of a certificate uploaded without one: its CN, else its whole subject on one line, else (an empty
 * subject) its first four thumbprint bytes, "Certificate 0f 4e d7 a1": the list never shows a blank name.
 */
function defaultCertificateName(bundle: CertificateBundle): string {
  // Node writes a name one `K=V` per line: a list shows it on one line, comma-separated.
  const subject = bundle.subject.split('\n').join(', ');
  return bundle.commonName || subject || `Certificate ${bundle.thumbprintSha1Hex.slice(0, 11)}`;
}

@Injectable()
export class CertificatesService {
  /** The roots a service-account certificate must chain to: the SDK's three plus configured ones. */
  private readonly roots: SupportedRoot[];
  /** ONBEHALF_ALLOW_LEGACY_RSA_KEYS: RSA keys of 1024 to 2047 bits pass with a KEY_TOO_SHORT warning. */
  private readonly allowLegacyRsaKeys: boolean;
  private readonly logger = new Logger('certificates');

  constructor(
    private readonly repo: CertificatesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly box: SecretBox,
    private readonly audit: AdminAuditService,
    jobs: JobsService,
  ) {
    this.allowLegacyRsaKeys = config.allowLegacyRsaKeys === true;
    jobs.register({
      name: 'certificate-expiry-warnings',
      everyMs: 60 * 60_000,
      run: async () => ({ warned: await this.warnExpiring() }),
    });
    this.roots = [
      ...DEFAULT_SUPPORTED_ROOTS,
      ...config.supportedRootPems.map((pem, i) => supportedRootFromPem(`configured root ${i + 1}`, pem)),
    ];
  }

  /** Reads an upload into a bundle, mapping each way it can fail to a code that names the problem. */
  private load(dto: UploadCertificateDto): CertificateBundle {
    try {
      if (dto.format === 'pkcs12') {
        return CertificateBundle.fromPkcs12(
          Buffer.from(dto.pkcs12Base64 ?? '', 'base64'),
          dto.password ?? '',
        );
      }
      return CertificateBundle.fromPem({
        certificatePem: dto.certificatePem ?? '',
        privateKeyPem: dto.privateKeyPem ?? dto.certificatePem ?? '',
        chainPem: dto.chainPem,
      });
    } catch (err) {
      if (isCrmAuthError(err, 'ERR_CERT_BAD_PASSWORD')) {
        throw badRequest(
          'CERTIFICATE_BAD_PASSWORD',
          dto.format === 'pkcs12'
            ? 'The PKCS#12 password is wrong.'
            : 'The private key is encrypted: send it unencrypted, or upload the PKCS#12 file with its password.',
        );
      }
      if (isCrmAuthError(err, 'ERR_CERT_NO_KEY')) {
        throw badRequest(
          'CERTIFICATE_NO_KEY',
          'No private key was found: add the key (PEM) or upload a PKCS#12 file that holds it.',
        );
      }
      if (isCrmAuthError(err)) {
        throw badRequest('CERTIFICATE_UNREADABLE', `The certificate could not be read: ${err.message}`);
      }
      throw badRequest('CERTIFICATE_UNREADABLE', 'The certificate could not be read.');
    }
  }

  validate(bundle: CertificateBundle, now = new Date()): CertificateReport {
    return bundle.validate({
      roots: this.roots,
      now,
      expiringWithinDays: EXPIRING_WITHIN_DAYS,
      allowLegacyRsaKeys: this.allowLegacyRsaKeys,
    });
  }

  async upload(dto: UploadCertificateDto, ctx: RequestContext): Promise<CertificateView> {
    const bundle = this.load(dto);
    const report = this.validate(bundle);
    if (!report.ok) {
      await this.audit.record(ctx, {
        action: 'certificate.upload',
        target: bundle.thumbprintSha1Hex,
        outcome: 'failure',
        diff: { problems: report.problems.map((p) => p.code) },
      });
      throw unprocessable('CERTIFICATE_INVALID', 'This certificate cannot be used: see the problems.', {
        problems: report.problems,
        chain: report.chain,
        thumbprintSha1Hex: bundle.thumbprintSha1Hex,
        subject: bundle.subject,
      });
    }
    const legacyKeys = report.problems.filter((p) => p.code === 'KEY_TOO_SHORT');
    const id = randomUUID();
    const row: NewCertificateRow = {
      id,
      name: dto.name?.trim() || defaultCertificateName(bundle),
      serviceAccountLiveId: dto.serviceAccountLiveId.trim().toLowerCase(),
      subject: bundle.subject,
      issuer: bundle.issuer,
      serialNumber: bundle.serialNumber,
      thumbprintSha1Hex: bundle.thumbprintSha1Hex,
      thumbprintSha1Base64: bundle.thumbprintSha1Base64,
      thumbprintSha256: bundle.thumbprintSha256,
      notBefore: bundle.notBefore,
      notAfter: bundle.notAfter,
      status: report.status,
      problems: report.problems,
      chain: report.chain.map((l) => ({
        ...l,
        notBefore: l.notBefore.toISOString(),
        notAfter: l.notAfter.toISOString(),
      })),
      certificatePem: bundle.certificatePem,
      chainPem: bundle.chainPem,
      privateKeyEnc: this.box.seal(bundle.privateKeyPem, keyAad(id)),
      kekId: this.box.activeKek,
      createdBy: ctx.principal?.userId ?? null,
    };
    await this.repo.transaction(async (tx, m) => {
      const dup = await tx.findByThumbprintSha256(bundle.thumbprintSha256);
      if (dup) {
        throw conflict('CERTIFICATE_EXISTS', `This certificate is already uploaded as "${dup.name}".`, {
          id: dup.id,
        });
      }
      await tx.insert(row);
      await this.audit.record(
        ctx,
        {
          action: 'certificate.upload',
          target: id,
          diff: {
            thumbprintSha1Hex: bundle.thumbprintSha1Hex,
            subject: bundle.subject,
            ...(legacyKeys.length ? { legacyRsaKeys: legacyKeys.map((p) => p.message) } : {}),
          },
        },
        m,
      );
    });
    // Only ONBEHALF_ALLOW_LEGACY_RSA_KEYS lets a short key through: say so where operators look.
    for (const p of legacyKeys) {
      this.logger.warn(
        `certificate ${id} (service account ${row.serviceAccountLiveId}, thumbprint ${bundle.thumbprintSha1Hex}) ` +
          `accepted under ONBEHALF_ALLOW_LEGACY_RSA_KEYS: ${p.message}`,
      );
    }
    return this.get(id);
  }

  async list(now = Date.now()): Promise<CertificateView[]> {
    return (await this.repo.list()).map((r) => toView(r, now));
  }

  /** Id, name, expiry and status of every certificate, for other contexts; the status is the one this page shows. */
  async summaries(now = Date.now()): Promise<CertificateSummary[]> {
    return (await this.list(now)).map((v) => ({
      id: v.id,
      name: v.name,
      notAfter: v.notAfter,
      daysToExpiry: v.daysToExpiry,
      status: v.status,
    }));
  }

  async get(id: string, now = Date.now()): Promise<CertificateView> {
    const row = await this.repo.findById(id);
    if (!row) throw notFound('CERTIFICATE_NOT_FOUND', 'No certificate with this id.');
    return { ...toView(row, now), orgs: await this.repo.usersOf(id) };
  }

  async remove(id: string, ctx: RequestContext): Promise<void> {
    await this.repo.transaction(async (tx, m) => {
      const row = await tx.findById(id);
      if (!row) throw notFound('CERTIFICATE_NOT_FOUND', 'No certificate with this id.');
      const users = await tx.usersOf(id);
      if (users.length) {
        throw conflict(
          'CERTIFICATE_IN_USE',
          `This certificate is still used by ${users.map((o) => o.friendlyName).join(', ')}. ` +
            'Rotate those orgs to another certificate first.',
          { orgs: users.map((o) => ({ id: o.id, friendlyName: o.friendlyName })) },
        );
      }
      await tx.delete(id);
      await this.audit.record(
        ctx,
        { action: 'certificate.delete', target: id, diff: { thumbprintSha1Hex: row.thumbprintSha1Hex } },
        m,
      );
    });
  }

  /** The usable bundle (with its private key) for TLS to the STS. Only for in-process use. */
  async loadBundle(id: string): Promise<CertificateBundle> {
    const row = await this.repo.findWithKey(id);
    if (!row) throw notFound('CERTIFICATE_NOT_FOUND', 'No certificate with this id.');
    let keyPem: string;
    try {
      keyPem = this.box.openString(row.privateKeyEnc, keyAad(id));
    } catch (err) {
      throw new DomainException(
        500,
        'SECRET_UNREADABLE',
        `The private key of certificate ${id} cannot be decrypted: ${err instanceof Error ? err.message : 'unknown'}`,
      );
    }
    return CertificateBundle.fromPem({
      certificatePem: row.certificatePem,
      privateKeyPem: keyPem,
      chainPem: row.chainPem || undefined,
    });
  }

  /** Certificates that crossed a warning threshold (30, 7, 1 days) since the last warning. */
  async warnExpiring(now = new Date()): Promise<{ id: string; name: string; days: number }[]> {
    const rows = await this.repo.list();
    const warned: { id: string; name: string; days: number }[] = [];
    for (const r of rows) {
      // Rounded up here: "expires in 1 day" is warned while any part of that last day is left.
      const days = Math.ceil((r.notAfter.getTime() - now.getTime()) / 86_400_000);
      const threshold = EXPIRY_WARNING_DAYS.filter((d) => days <= d).at(-1);
      if (threshold === undefined || (r.expiryWarnedDays !== null && r.expiryWarnedDays <= threshold))
        continue;
      await this.repo.transaction(async (tx, m) => {
        await tx.setExpiryWarned(r.id, threshold);
        await this.audit.record(
          { principal: null, requestId: '', ip: null, userAgent: null },
          {
            action: 'certificate.expiry-warning',
            target: r.id,
            diff: { daysToExpiry: days, threshold },
            actorEmail: 'system',
          },
          m,
        );
      });
      warned.push({ id: r.id, name: r.name, days });
    }
    return warned;
  }
}

function toView(r: CertificateEntity, now: number): CertificateView {
  return {
    id: r.id,
    name: r.name,
    serviceAccountLiveId: r.serviceAccountLiveId,
    subject: r.subject,
    issuer: r.issuer,
    serialNumber: r.serialNumber,
    thumbprintSha1Hex: r.thumbprintSha1Hex,
    thumbprintSha1Base64: r.thumbprintSha1Base64,
    thumbprintSha256: r.thumbprintSha256,
    notBefore: r.notBefore.toISOString(),
    notAfter: r.notAfter.toISOString(),
    daysToExpiry: daysToExpiry(r.notAfter, now),
    status: certificateStatus(r, now),
    problems: r.problems,
    chain: r.chain,
    createdAt: r.createdAt.toISOString(),
  };
}
