import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { type ApiKeyRecord, ApiKeysRepository } from '../auth/api-keys.repository';
import { AuthService } from '../auth/auth.service';
import type { ApiKeyScope } from '../auth/api-key-scopes';
import { badRequest, notFound } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import { OrgDirectory } from '../orgs/org-directory';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';

export const API_KEY_PREFIX = 'obk_';
/** How much of the key is kept in clear to tell keys apart in lists and logs (the tag and 8 random characters). */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  orgIds: string[];
  /** The ids in `orgIds` whose org has been deleted since (ids are never reused: the key gains nothing). */
  deletedOrgIds: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
  /** Created before scopes existed and made `admin` by the migration: replace it with a scoped key. */
  legacy: boolean;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  /** The only time the key is shown; only its SHA-256 is stored. */
  key: string;
  prefix: string;
  scopes: ApiKeyScope[];
  orgIds: string[];
  expiresAt: string | null;
}

/** A key as the list shows it; `orgs` holds the ids of the orgs that exist now. */
export const view = (k: ApiKeyRecord, orgs: ReadonlySet<string>): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: [...k.scopes],
  orgIds: [...k.orgIds],
  deletedOrgIds: k.orgIds.filter((o) => !orgs.has(o.toLowerCase())),
  createdAt: k.createdAt.toISOString(),
  expiresAt: k.expiresAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  lastUsedIp: k.lastUsedIp,
  revokedAt: k.revokedAt?.toISOString() ?? null,
  legacy: k.legacy,
});

/**
 * The grant a new key asks for, checked: `calls` needs the orgs it may act on (a `calls` key for no org
 * is useless and a typo's likely result), orgs without `calls` would mean nothing, and an expiry must lie
 * ahead. The scopes are required (the DTO refuses a key without them): no key is an admin by default.
 */
export function grantOf(
  dto: Pick<CreateApiKeyDto, 'scopes' | 'orgIds' | 'expiresAt'>,
  now: Date,
): { scopes: ApiKeyScope[]; orgIds: string[]; expiresAt: Date | null } {
  const scopes = [...dto.scopes];
  const orgIds = (dto.orgIds ?? []).map((o) => o.toLowerCase());
  if (scopes.includes('calls') && orgIds.length === 0) {
    throw badRequest('API_KEY_ORGS_REQUIRED', 'A key with the calls scope needs the orgs it may act on.', {
      scope: 'calls',
    });
  }
  if (!scopes.includes('calls') && orgIds.length > 0) {
    throw badRequest('API_KEY_ORGS_WITHOUT_CALLS', 'Orgs are given to keys with the calls scope only.');
  }
  const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw badRequest('API_KEY_EXPIRY_PAST', 'The expiry must be in the future.', {
      expiresAt: expiresAt.toISOString(),
    });
  }
  return { scopes, orgIds: [...new Set(orgIds)], expiresAt };
}

/**
 * Refuses a grant naming an org that does not exist (a typo, or an org deleted since the form was loaded):
 * 400 API_KEY_UNKNOWN_ORG with every such id. `orgIds` are grantOf's (lower case, once each); `orgs` holds
 * the ids of the orgs that exist.
 */
export function checkOrgsExist(orgIds: readonly string[], orgs: ReadonlySet<string>): void {
  const unknown = orgIds.filter((o) => !orgs.has(o));
  if (unknown.length > 0) {
    throw badRequest('API_KEY_UNKNOWN_ORG', `No org has the id ${unknown.join(', ')}.`, {
      orgIds: unknown,
    });
  }
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AdminAuditService,
    private readonly auth: AuthService,
    private readonly orgs: OrgDirectory,
  ) {}

  async list(): Promise<ApiKeyView[]> {
    const [keys, orgs] = await Promise.all([this.keys.list(), this.orgIds()]);
    return keys.map((k) => view(k, orgs));
  }

  /** The ids of the orgs that exist now (lower case, as Postgres prints uuids). */
  private async orgIds(): Promise<Set<string>> {
    return new Set((await this.orgs.list()).map((o) => o.id.toLowerCase()));
  }

  async create(dto: CreateApiKeyDto, ctx: RequestContext): Promise<CreatedApiKey> {
    // 256 random bits: the key is a bearer secret, so a fast unsalted SHA-256 is enough to store it
    // (nothing to brute-force), and AuthService.resolveApiKey looks it up by that hash.
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const prefix = key.slice(0, SHOWN_CHARS);
    const grant = grantOf(dto, new Date());
    // Orgs are not deleted through the API, so checking before the insert is enough; a key whose org is
    // deleted later lists it in deletedOrgIds.
    if (grant.orgIds.length > 0) checkOrgsExist(grant.orgIds, await this.orgIds());
    return this.keys.transaction(async (tx, m) => {
      const id = await tx.insert({
        name: dto.name,
        keyHash: createHash('sha256').update(key).digest(),
        prefix,
        createdBy: ctx.principal?.userId ?? null,
        ...grant,
      });
      const expiresAt = grant.expiresAt?.toISOString() ?? null;
      await this.audit.record(
        ctx,
        {
          action: 'api-key.create',
          target: dto.name,
          diff: { id, prefix, scopes: grant.scopes, orgIds: grant.orgIds, expiresAt },
        },
        m,
      );
      return { id, name: dto.name, key, prefix, scopes: grant.scopes, orgIds: grant.orgIds, expiresAt };
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
    });
    // After the commit: a lookup between the revoke and the commit read the row live and may have cached it.
    this.auth.forgetApiKey(id);
  }
}
