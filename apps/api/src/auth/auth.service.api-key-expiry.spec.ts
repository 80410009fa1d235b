import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdminAuditService } from '../admin-audit/admin-audit.service';
import type { AppConfig } from '../config/app-config';
import type { AdminAccountsRepository } from './admin-accounts.repository';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository';
import { AuthService } from './auth.service';
import type { LoginRateLimiter } from './login-rate-limiter';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const LONG_AGO = new Date(NOW - 10 * 60_000);

/** An AuthService over one API key row (`obk_k`), recording the `last_used_at` stamps it writes. */
function withKey(expiresAt: Date | null) {
  const stamps: string[] = [];
  const hash = createHash('sha256').update('obk_k').digest('hex');
  const keys: Pick<ApiKeysRepository, 'findLive' | 'stampUse'> = {
    findLive: async (keyHash) =>
      keyHash.toString('hex') === hash
        ? ({
            id: 'key-1',
            name: 'obk_k',
            lastUsedAt: LONG_AGO,
            scopes: ['admin'],
            orgIds: [],
            expiresAt,
          } as unknown as ApiKeyRecord)
        : null,
    stampUse: async (id) => {
      stamps.push(id);
    },
  };
  const auth = new AuthService(
    {} as AdminAccountsRepository,
    keys as ApiKeysRepository,
    {} as LoginRateLimiter,
    {} as AppConfig,
    {} as AdminAuditService,
  );
  return { auth, stamps };
}

describe('AuthService API-key expiry and last-use stamp', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('stamps last use of a live key not used for over a minute', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const w = withKey(new Date(NOW + 60_000));
    expect((await w.auth.resolveApiKey('obk_k')).apiKeyId).toBe('key-1');
    expect(w.stamps).toEqual(['key-1']);
  });

  it('refuses a key expiring at this very instant and does not stamp it as used', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const w = withKey(new Date(NOW));
    await expect(w.auth.resolveApiKey('obk_k')).rejects.toMatchObject({ code: 'API_KEY_EXPIRED' });
    expect(w.stamps).toEqual([]);
  });

  it('tells the caller of an expired key that it expired, not just a code', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const w = withKey(new Date(NOW - 1));
    const err = await w.auth.resolveApiKey('obk_k').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'API_KEY_EXPIRED' });
    expect((err as Error).message).toMatch(/expired/i);
  });
});
