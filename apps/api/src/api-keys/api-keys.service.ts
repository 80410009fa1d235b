import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { type ApiKeyRecord, ApiKeysRepository } from '../auth/api-keys.repository';
import { AuthService } from '../auth/auth.service';
import { notFound } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';

export const API_KEY_PREFIX = 'obk_';
/** How much of the key is kept in clear to tell keys apart in lists and logs (the tag and 8 random characters). */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  /** The only time the key is shown; only its SHA-256 is stored. */
  key: string;
  prefix: string;
}

const view = (k: ApiKeyRecord): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AdminAuditService,
    private readonly auth: AuthService,
  ) {}

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map(view);
  }

  async create(dto: CreateApiKeyDto, ctx: RequestContext): Promise<CreatedApiKey> {
    // 256 random bits: the key is a bearer secret, so a fast unsalted SHA-256 is enough to store it
    // (nothing to brute-force), and AuthService.resolveApiKey looks it up by that hash.
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const prefix = key.slice(0, SHOWN_CHARS);
    return this.keys.transaction(async (tx, m) => {
      const id = await tx.insert({
        name: dto.name,
        keyHash: createHash('sha256').update(key).digest(),
        prefix,
        createdBy: ctx.principal?.userId ?? null,
      });
      await this.audit.record(ctx, { action: 'api-key.create', target: dto.name, diff: { id, prefix } }, m);
      return { id, name: dto.name, key, prefix };
    });
  }

  /** Revokes a key (kept for the record, never deleted). Revoking a revoked key changes nothing. */
  async revoke(id: string, ctx: RequestContext): Promise<void> {
    await this.keys.transaction(async (tx, m) => {
      const row = await tx.findForUpdate(id);
      if (!row) throw notFound('API_KEY_NOT_FOUND', 'No API key has this id.');
      if (row.revokedAt) return;
      await tx.revoke(id);
      await this.audit.record(
        ctx,
        { action: 'api-key.revoke', target: row.name, diff: { id, prefix: row.prefix } },
        m,
      );
      this.auth.forgetApiKey(id);
    });
  }
}
