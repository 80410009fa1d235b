import { describe, expect, it } from 'vitest';
import { EntraDirectory } from './entra-directory';

/**
 * `EntraDirectory` called directly with its clock as an argument (docs/protocol.md §13.5): a client's `jti` is
 * refused in another assertion only while the first assertion is acceptable, an access token stops being valid
 * at its expiry (RFC 7519 §4.1.4: on or after `exp` it must not be accepted), and both stores forget what has
 * expired once they hold more than 1,000 entries, at most once per 10 s, never what is still valid. Whether an
 * entry was forgotten shows only to a call whose clock is earlier than the pruning's (a clock set back), which is
 * how these tests look at it.
 */
describe('EntraDirectory: assertions seen and tokens issued', () => {
  const clientId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
  const directory = () => new EntraDirectory(() => ({ tenants: [], apps: [] }));
  const grant = {
    tenantId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    clientId,
    resource: 'https://x.crm.dynamics.com',
  };

  /** Records assertions `f0`… `f<n-1>` of the client, each acceptable until `keepUntil(i)`, at `now`. */
  const fill = (d: EntraDirectory, n: number, keepUntil: (i: number) => number, now = 0) => {
    for (let i = 0; i < n; i++)
      expect(d.rememberAssertion(clientId, `f${i}`, `sig${i}`, keepUntil(i), now)).toBe(true);
  };
  /** Whether the directory still refuses `jti` in another assertion at `now`: it still keeps the first one. */
  const stillKept = (d: EntraDirectory, jti: string, now: number) =>
    !d.rememberAssertion(clientId, jti, 'another-signature', now + 600_000, now);

  describe('client assertions (jti replay)', () => {
    it("refuses a jti in another assertion while the first is acceptable and accepts it from the first's last moment on", () => {
      const d = directory();
      expect(d.rememberAssertion(clientId, 'j', 'A', 10_000, 0)).toBe(true);
      expect(d.rememberAssertion(clientId, 'j', 'A', 10_000, 5_000)).toBe(true);
      expect(d.rememberAssertion(clientId, 'j', 'B', 20_000, 9_999)).toBe(false);
      // At 10,000 the token endpoint no longer accepts the first (now < keepUntil fails): its jti is free.
      expect(d.rememberAssertion(clientId, 'j', 'B', 20_000, 10_000)).toBe(true);
    });

    it('keys a jti by the client id folded to lower case as apps are: the same client in another case shares it, "straße" and "STRASSE" do not', () => {
      const d = directory();
      expect(d.rememberAssertion(clientId.toUpperCase(), 'j', 'A', 10_000, 0)).toBe(true);
      expect(d.rememberAssertion(clientId, 'j', 'B', 10_000, 0)).toBe(false);
      expect(d.rememberAssertion('straße', 'k', 'A', 10_000, 0)).toBe(true);
      expect(d.rememberAssertion('STRASSE', 'k', 'B', 10_000, 0)).toBe(true);
    });

    it('forgets the expired assertions when it holds more than 1,000 and more than 10 s have passed since it last pruned', () => {
      const d = directory();
      fill(d, 1001, () => 5_000);
      expect(d.rememberAssertion(clientId, 'trigger', 's', 100_000, 10_001)).toBe(true);
      expect(stillKept(d, 'f0', 1_000)).toBe(false);
      expect(stillKept(d, 'f1000', 1_000)).toBe(false);
    });

    it('keeps the expired assertions while it holds at most 1,000', () => {
      const d = directory();
      fill(d, 1000, () => 5_000);
      expect(d.rememberAssertion(clientId, 'trigger', 's', 100_000, 10_001)).toBe(true);
      expect(stillKept(d, 'f0', 1_000)).toBe(true);
    });

    it('prunes at most once per 10 s: not exactly 10 s after the last pruning, then 1 ms later', () => {
      const d = directory();
      fill(d, 1001, () => 22_000);
      expect(d.rememberAssertion(clientId, 'first', 's', 100_000, 20_000)).toBe(true); // prunes, nothing expired
      expect(stillKept(d, 'f0', 21_000)).toBe(true);
      expect(d.rememberAssertion(clientId, 'second', 's', 100_000, 30_000)).toBe(true); // 10 s: no pruning
      expect(stillKept(d, 'f0', 21_000)).toBe(true);
      expect(d.rememberAssertion(clientId, 'third', 's', 100_000, 30_001)).toBe(true); // prunes
      expect(stillKept(d, 'f0', 21_000)).toBe(false);
    });

    it('pruning never forgets an assertion that is still acceptable, nor one whose time ends at that very moment', () => {
      const d = directory();
      fill(d, 1001, (i) => (i === 0 ? 100_000 : i === 1 ? 20_000 : 5_000));
      expect(d.rememberAssertion(clientId, 'trigger', 's', 100_000, 20_000)).toBe(true);
      expect(stillKept(d, 'f0', 20_000)).toBe(true);
      expect(stillKept(d, 'f1', 19_999)).toBe(true);
      expect(stillKept(d, 'f2', 1_000)).toBe(false);
    });
  });

  describe('access tokens', () => {
    it('a token is valid until just before now + expires_in and not at that moment (RFC 7519 exp)', () => {
      const d = directory();
      const { accessToken, expiresIn } = d.issueToken(grant, 1_000, 60);
      expect(expiresIn).toBe(60);
      expect(d.token(accessToken, 60_999)).toEqual({ ...grant, expiresAt: 61_000 });
      expect(d.token(accessToken, 61_000)).toBeUndefined();
    });

    it('forgets the expired tokens when it holds more than 1,000 and more than 10 s have passed since it last pruned', () => {
      const d = directory();
      const first = d.issueToken(grant, 0, 1).accessToken;
      for (let i = 1; i < 1001; i++) d.issueToken(grant, 0, 1);
      d.issueToken(grant, 10_001, 60);
      expect(d.token(first, 500)).toBeUndefined();
    });

    it('keeps the expired tokens while it holds at most 1,000', () => {
      const d = directory();
      const first = d.issueToken(grant, 0, 1).accessToken;
      for (let i = 1; i < 1000; i++) d.issueToken(grant, 0, 1);
      d.issueToken(grant, 10_001, 60);
      expect(d.token(first, 500)).toBeDefined();
    });

    it('prunes tokens at most once per 10 s: not exactly 10 s after the last pruning, then 1 ms later', () => {
      const d = directory();
      const first = d.issueToken(grant, 0, 22).accessToken;
      for (let i = 1; i < 1001; i++) d.issueToken(grant, 0, 22);
      d.issueToken(grant, 20_000, 60); // prunes, nothing expired
      d.issueToken(grant, 30_000, 60); // 10 s: no pruning
      expect(d.token(first, 21_000)).toBeDefined();
      d.issueToken(grant, 30_001, 60); // prunes
      expect(d.token(first, 21_000)).toBeUndefined();
    });

    it('pruning never forgets a token that is still valid, nor one that expires at that very moment', () => {
      const d = directory();
      const live = d.issueToken(grant, 0, 100).accessToken;
      const endsNow = d.issueToken(grant, 0, 20).accessToken;
      for (let i = 2; i < 1001; i++) d.issueToken(grant, 0, 1);
      d.issueToken(grant, 20_000, 60);
      expect(d.token(live, 20_000)).toBeDefined();
      expect(d.token(endsNow, 19_999)).toBeDefined();
    });
  });

  describe('environments', () => {
    it('gives a path environment under the base URL and an absolute one as it is, both in lower case', () => {
      const d = directory();
      const tenant = {
        id: grant.tenantId,
        domain: 'fabrikam.onmicrosoft.com',
        environments: ['/dataverse/FabrikamDV', 'https://Fabrikam.crm4.dynamics.com'],
        consentedApps: [],
      };
      expect(d.environmentUrls(tenant, 'https://emu.example:8443')).toEqual([
        'https://emu.example:8443/dataverse/fabrikamdv',
        'https://fabrikam.crm4.dynamics.com',
      ]);
    });
  });
});
