import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { CertificateEntity } from './certificate.entity';

/** An org that points at a certificate: as its active one, or staged for a rotation. */
export interface CertificateUser {
  id: string;
  friendlyName: string;
  role: 'active' | 'staged';
}

/** What a new certificate row holds; the database fills in the timestamps and the warning state. */
export type NewCertificateRow = Omit<CertificateEntity, 'createdAt' | 'updatedAt' | 'expiryWarnedDays'>;

/** A certificate row with its sealed private key (only `findWithKey` reads it). */
export type CertificateWithKey = CertificateEntity & { privateKeyEnc: Buffer };

/**
 * Every query of the certificates context. The service holds the rules; this holds the SQL.
 * `transaction` hands the callback a copy bound to the transaction, and its manager
 * (the audit row goes in the same transaction).
 */
@Injectable()
export class CertificatesRepository {
  constructor(@InjectRepository(CertificateEntity) private readonly rows: Repository<CertificateEntity>) {}

  transaction<T>(work: (tx: CertificatesRepository, manager: EntityManager) => Promise<T>): Promise<T> {
    return this.rows.manager.transaction((m) =>
      work(new CertificatesRepository(m.getRepository(CertificateEntity)), m),
    );
  }

  /** Newest first, as the console lists them. */
  list(): Promise<CertificateEntity[]> {
    return this.rows.find({ order: { createdAt: 'DESC' } });
  }

  findById(id: string): Promise<CertificateEntity | null> {
    return this.rows.findOne({ where: { id } });
  }

  findByThumbprintSha256(thumbprintSha256: string): Promise<CertificateEntity | null> {
    return this.rows.findOne({ where: { thumbprintSha256 } });
  }

  /** The row with its sealed private key, which no other read selects. */
  async findWithKey(id: string): Promise<CertificateWithKey | null> {
    const row = await this.rows
      .createQueryBuilder('c')
      .addSelect('c.privateKeyEnc')
      .where('c.id = :id', { id })
      .getOne();
    return row as CertificateWithKey | null;
  }

  async insert(row: NewCertificateRow): Promise<void> {
    await this.rows.insert(row);
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ id });
  }

  async setExpiryWarned(id: string, days: number): Promise<void> {
    await this.rows.update({ id }, { expiryWarnedDays: days });
  }

  /**
   * The orgs that use a certificate. This reads the orgs context's table: OrgsModule imports CertificatesModule
   * (onboarding needs the bundle), so asking OrgsService would be a module cycle. Raw SQL on two columns, kept here.
   */
  async usersOf(id: string): Promise<CertificateUser[]> {
    const rows = (await this.rows.manager.query(
      `SELECT id, friendly_name, certificate_id = $1 AS active
         FROM orgs WHERE certificate_id = $1 OR staged_certificate_id = $1
        ORDER BY friendly_name`,
      [id],
    )) as { id: string; friendly_name: string; active: boolean }[];
    return rows.map((r) => ({
      id: r.id,
      friendlyName: r.friendly_name,
      role: r.active ? 'active' : 'staged',
    }));
  }
}
