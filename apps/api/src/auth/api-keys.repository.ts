import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

/** An API key's row. Its `keyHash` is the SHA-256 of the key; the key itself is never stored. */
export type ApiKeyRecord = Readonly<ApiKeyEntity>;

/** What a new key's row holds; the database fills in the id and the timestamps. */
export type NewApiKey = Pick<
  ApiKeyEntity,
  'name' | 'keyHash' | 'prefix' | 'createdBy' | 'scopes' | 'orgIds' | 'expiresAt'
>;

/**
 * Every query on `api_keys`. The auth context owns the table (it resolves a caller's key on every request);
 * the api-keys context creates, lists and revokes keys through this repository (AuthModule exports it), never
 * through the entity. `transaction` hands the callback a copy bound to the transaction, and its manager.
 */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  transaction<T>(work: (tx: ApiKeysRepository, manager: EntityManager) => Promise<T>): Promise<T> {
    return this.keys.manager.transaction((m) =>
      work(new ApiKeysRepository(m.getRepository(ApiKeyEntity)), m),
    );
  }

  /** Newest first, as the console lists them. */
  list(): Promise<ApiKeyRecord[]> {
    return this.keys.find({ order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /** Inserts a key and returns its id. */
  async insert(row: NewApiKey): Promise<string> {
    const { identifiers } = await this.keys.insert({ ...row, legacy: false });
    return (identifiers[0] as { id: string }).id;
  }

  /** The key with this id, locked until the transaction ends (inside `transaction` only). */
  findForUpdate(id: string): Promise<ApiKeyRecord | null> {
    return this.keys.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async revoke(id: string): Promise<void> {
    await this.keys.update({ id }, { revokedAt: new Date() });
  }

  /** The unrevoked key with this hash (expired or not: the caller tells an expired key apart). */
  findLive(keyHash: Buffer): Promise<ApiKeyRecord | null> {
    return this.keys.findOne({ where: { keyHash, revokedAt: IsNull() } });
  }

  async stampUse(id: string, at: Date, ip: string | null): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: at, lastUsedIp: ip });
  }
}
