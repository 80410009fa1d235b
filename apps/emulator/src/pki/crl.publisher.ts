import type { ScenarioEngine } from '../scenarios/scenario.engine';
import type { StateStore } from '../state/state.store';
import { buildCrl, type RevokedEntry } from './crl-builder';
import type { PkiStore } from './pki.store';

const ROLLING_VALIDITY_MS = 7 * 86_400_000;
const CACHE_MS = 60_000;

/** The CA whose CRL is asked for. */
export type CrlIssuer = 'root' | 'intermediate';

/**
 * Publishes one CRL per emulator CA (`GET /pki/root.crl`, `/pki/intermediate.crl`). Revocations come
 * from the state (control API) and from an active REVOKED_CERTIFICATE scenario, so that a client
 * checking the CRL sees what the STS enforces. nextUpdate rolls a week ahead unless the control API
 * fixed it (to test stale CRLs).
 */
export class CrlPublisher {
  private cache = new Map<CrlIssuer, { der: Buffer; at: number }>();

  constructor(
    private readonly pki: PkiStore,
    private readonly store: StateStore,
    private readonly scenarios: ScenarioEngine,
  ) {
    store.onChange(() => this.cache.clear());
  }

  crl(issuer: CrlIssuer): Buffer {
    const now = Date.now();
    const cached = this.cache.get(issuer);
    if (cached && now - cached.at < CACHE_MS) return cached.der;
    const revoked: RevokedEntry[] = [];
    const scenario = this.scenarios.list().filter((s) => s.name === 'REVOKED_CERTIFICATE');
    for (const cert of this.store.certs.values()) {
      if (cert.issuerCa !== issuer) continue;
      const byScenario = scenario.some(
        (s) =>
          (s.params['thumbprint'] === undefined || s.params['thumbprint'] === cert.thumbprint) &&
          (s.account === undefined || s.account === cert.account?.toLowerCase()),
      );
      if (cert.revokedAt !== undefined || byScenario) {
        revoked.push({ serialHex: cert.serialHex, revokedAt: new Date(cert.revokedAt ?? now) });
      }
    }
    const fixed = this.store.crl.nextUpdate;
    const der = buildCrl({
      issuerCertPem: issuer === 'root' ? this.pki.rootCertPem : this.pki.intermediateCertPem,
      issuerKey: issuer === 'root' ? this.pki.rootKey : this.pki.intermediateKey,
      revoked,
      thisUpdate: new Date(Math.min(now, fixed > 0 ? fixed : now) - 60_000),
      nextUpdate: new Date(fixed > 0 ? fixed : now + ROLLING_VALIDITY_MS),
      crlNumber: this.store.crl.number,
    });
    this.cache.set(issuer, { der, at: now });
    return der;
  }
}
