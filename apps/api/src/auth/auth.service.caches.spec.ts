import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdminAuditService } from '../admin-audit/admin-audit.service';
import type { AppConfig } from '../config/app-config';
import type { AdminAccountsRepository } from './admin-accounts.repository';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository';
import { AuthService } from './auth.service';
import type { LoginRateLimiter } from './login-rate-limiter';
import { advanceLruClock } from '../../test/lru-clock';

/** An AuthService over an API-key table held in memory, which counts its reads. */
function world() {
  const keys = new Map<
    string,
    { id: string; name: string; revoked: boolean; lastUsedAt: Date; expiresAt: Date | null }
  >();
  const seen = { reads: 0, stamps: [] as Array<{ id: string; at: Date; ip?: string | null }> };
  const store: Pick<ApiKeysRepository, 'findLive' | 'stampUse'> = {
    findLive: async (keyHash) => {
      seen.reads++;
      const k = keys.get(keyHash.toString('hex'));
      return k && !k.revoked
        ? ({
            id: k.id,
            name: k.name,
            lastUsedAt: k.lastUsedAt,
            scopes: ['admin'],
            orgIds: [],
            expiresAt: k.expiresAt,
          } as unknown as ApiKeyRecord)
        : null;
    },
    stampUse: async (id, at, ip) => {
      seen.stamps.push({ id, at, ip });
    },
  };
  const auth = new AuthService(
    {} as AdminAccountsRepository,
    store as ApiKeysRepository,
    {} as LoginRateLimiter,
    {} as AppConfig,
    {} as AdminAuditService,
  );
  const hex = (key: string) => createHash('sha256').update(key).digest('hex');
  return {
    auth,
    seen,
    add: (key: string, id = `id-${key}`, lastUsedAt = new Date(), expiresAt: Date | null = null) =>
      keys.set(hex(key), { id, name: key, revoked: false, lastUsedAt, expiresAt }),
    revoke: (key: string) => (keys.get(hex(key))!.revoked = true),
    resolve: (key: string, ip: string | null = null) => auth.resolveApiKey(key, ip),
  };
}

describe('AuthService API-key cache', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads a key once, then from memory for 10 s: a revocation on another instance shows after that', async () => {
    const w = world();
    w.add('obk_a');
    expect((await w.resolve('obk_a')).apiKeyId).toBe('id-obk_a');
    expect((await w.resolve('obk_a')).apiKeyId).toBe('id-obk_a');
    expect(w.seen.reads).toBe(1);

    w.revoke('obk_a'); // as another instance would: only the row changes
    await advanceLruClock(9_900);
    expect((await w.resolve('obk_a')).apiKeyId).toBe('id-obk_a');
    expect(w.seen.reads).toBe(1);

    await advanceLruClock(200);
    await expect(w.resolve('obk_a')).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
    expect(w.seen.reads).toBe(2);
  });

  it('forgetApiKey (a revocation on this instance) drops the key at once, and only that key', async () => {
    const w = world();
    w.add('obk_gone');
    w.add('obk_kept');
    await w.resolve('obk_gone');
    await w.resolve('obk_kept');
    w.revoke('obk_gone');
    w.revoke('obk_kept');
    w.auth.forgetApiKey('id-obk_gone');
    await expect(w.resolve('obk_gone')).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
    expect((await w.resolve('obk_kept')).apiKeyId).toBe('id-obk_kept');
  });

  it('does not keep a refused key: it is looked up on every try', async () => {
    const w = world();
    await expect(w.resolve('obk_unknown')).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
    w.add('obk_unknown');
    expect((await w.resolve('obk_unknown')).apiKeyId).toBe('id-obk_unknown');
    expect(w.seen.reads).toBe(2);
  });

  it('keeps at most 10,000 keys, dropping the least recently used one rather than all', async () => {
    const w = world();
    const key = (i: number) => `obk_${i}`;
    for (let i = 0; i <= 10_000; i++) w.add(key(i));
    for (let i = 0; i < 10_000; i++) await w.resolve(key(i));
    expect(w.seen.reads).toBe(10_000);
    await w.resolve(key(0)); // now the most recently used
    await w.resolve(key(10_000)); // one more than fits: key 1 goes
    expect(w.seen.reads).toBe(10_001);
    await w.resolve(key(0));
    await w.resolve(key(9_999));
    expect(w.seen.reads).toBe(10_001);
    await w.resolve(key(1));
    expect(w.seen.reads).toBe(10_002);
  });

  it("stamps a key's last use only when the stamp is over a minute old (not at exactly a minute)", async () => {
    const w = world();
    const usedAt = new Date(Date.UTC(2026, 0, 1));
    w.add('obk_minute', 'k-minute', usedAt);
    w.add('obk_later', 'k-later', usedAt);
    vi.spyOn(Date, 'now').mockReturnValue(usedAt.getTime() + 60_000);
    await w.resolve('obk_minute');
    expect(w.seen.stamps).toEqual([]);
    vi.spyOn(Date, 'now').mockReturnValue(usedAt.getTime() + 60_001);
    await w.resolve('obk_later', '198.51.100.4');
    expect(w.seen.stamps).toEqual([
      { id: 'k-later', at: new Date(usedAt.getTime() + 60_001), ip: '198.51.100.4' },
    ]);
  });

  it("gives the key's principal its scopes and orgs", async () => {
    const w = world();
    w.add('obk_grant');
    expect((await w.resolve('obk_grant')).grant).toEqual({ scopes: ['admin'], orgIds: [] });
  });

  it('refuses an expired key with 401 API_KEY_EXPIRED, also once it sits in the cache (not at its last ms)', async () => {
    const w = world();
    const expiresAt = new Date(Date.UTC(2026, 0, 1));
    w.add('obk_exp', 'k-exp', new Date(0), expiresAt);
    vi.spyOn(Date, 'now').mockReturnValue(expiresAt.getTime() - 1);
    expect((await w.resolve('obk_exp')).apiKeyId).toBe('k-exp');
    vi.spyOn(Date, 'now').mockReturnValue(expiresAt.getTime());
    await expect(w.resolve('obk_exp')).rejects.toMatchObject({
      status: 401,
      code: 'API_KEY_EXPIRED',
      details: { expiredAt: expiresAt.toISOString() },
    });
    expect(w.seen.reads).toBe(1);
    w.add('obk_fresh_expired', 'k-fe', new Date(0), expiresAt);
    await expect(w.resolve('obk_fresh_expired')).rejects.toMatchObject({ code: 'API_KEY_EXPIRED' });
  });

  it('a lookup that read the key live just before its revocation neither uses nor caches it afterwards', async () => {
    const w = world();
    w.add('obk_race');
    // The lookup reads the row (still live) and is answered only after the revocation on this instance.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const repo = (w.auth as unknown as { keys: Pick<ApiKeysRepository, 'findLive'> }).keys;
    const findLive = repo.findLive.bind(repo);
    repo.findLive = async (hash) => {
      const row = await findLive(hash);
      await gate;
      return row;
    };
    const inFlight = w.resolve('obk_race');
    w.revoke('obk_race');
    w.auth.forgetApiKey('id-obk_race');
    release();
    await expect(inFlight).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
    repo.findLive = findLive;
    await expect(w.resolve('obk_race')).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
  });

  it("does not stamp an expired key's use: its last use stays the last time it worked", async () => {
    const w = world();
    const expiresAt = new Date(Date.UTC(2026, 0, 1));
    w.add('obk_old', 'k-old', new Date(0), expiresAt);
    vi.spyOn(Date, 'now').mockReturnValue(expiresAt.getTime() + 5_000);
    await expect(w.resolve('obk_old', '203.0.113.9')).rejects.toMatchObject({ code: 'API_KEY_EXPIRED' });
    await Promise.resolve();
    expect(w.seen.stamps).toEqual([]);
  });
});
