import { createHash, randomBytes, randomInt, X509Certificate } from 'node:crypto';

/** A tenant of the emulated identity platform. */
export interface EntraTenant {
  /** The tenant id, lower-case GUID. */
  id: string;
  /** Its verified domain, e.g. `contoso.onmicrosoft.com`; the tenant can be named by either. */
  domain: string;
  /**
   * Dataverse environments in this tenant: the resources a token can be asked for. A URL, or a path that
   * starts with `/` for an environment served by this emulator (resolved against its base URL).
   */
  environments: string[];
  /** Client ids of the apps an administrator of this tenant consented to. */
  consentedApps: string[];
}

/** An application registration (multi-tenant: it is used in the tenants that consented to it). */
export interface EntraApp {
  clientId: string;
  displayName: string;
  /** The certificates registered on the app (public part only), PEM. */
  certificatesPem: string[];
}

/** A token this emulator issued: what the Dataverse Web API will check. */
export interface IssuedToken {
  tenantId: string;
  clientId: string;
  resource: string;
  expiresAt: number;
}

/** The demo's identity-platform ids: a tenant with one environment and the ISV's app, consented. */
export const DEMO_ENTRA = {
  tenantId: '5f1b2c3d-4e6a-4b7c-8d9e-0a1b2c3d4e5f',
  tenantDomain: 'contoso.onmicrosoft.com',
  clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
  appName: 'Onbehalf ISV integration',
  /** The environment's org in the emulator's state (the Web API is under `/dataverse/<org>/api/data/v9.2/`). */
  environmentOrg: 'contosodv',
  /** The environment's path under the emulator's base URL. */
  environmentPath: '/dataverse/contosodv',
  /** The ISV app's service principal in the tenant: its application user's azureactivedirectoryobjectid. */
  appObjectId: '7d2e9f41-3a5c-4b6d-8e1f-2a3b4c5d6e7f',
  /** Jon Wilson's Entra object id (what CallerObjectId names). */
  jonObjectId: 'b8c9d0e1-f2a3-4b4c-9d5e-6f7a8b9c0d1e',
  /** Rita Reed (read-only in the environment). */
  ritaObjectId: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e70',
} as const;

/** SHA-1 and SHA-256 thumbprints of a certificate's DER, base64url, as a JWT header carries them. */
export function jwtThumbprints(pem: string): { x5t: string; x5tS256: string } {
  const der = new X509Certificate(pem).raw;
  return {
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}

/**
 * The emulated identity platform's directory: tenants, app registrations and consents, the client
 * assertions seen (for replay), and the access tokens issued. In memory: the demo seed rebuilds it on
 * start and on reset, and the control API changes it.
 */
export class EntraDirectory {
  readonly tenants = new Map<string, EntraTenant>();
  readonly apps = new Map<string, EntraApp>();
  /** client id | jti → the assertion's signature and until when it is acceptable; refused with another signature. */
  readonly #assertions = new Map<string, { signature: string; keepUntilMs: number }>();
  #prunedAt = 0;
  #tokensPrunedAt = 0;
  readonly #tokens = new Map<string, IssuedToken>();
  /** Fixed token lifetime in seconds; default: random 60–90 minutes per token, as the service does. */
  tokenLifetimeSec: number | undefined;

  constructor(private readonly seed: () => { tenants: EntraTenant[]; apps: EntraApp[] }) {
    this.reset();
  }

  reset(): void {
    this.tenants.clear();
    this.apps.clear();
    this.#assertions.clear();
    this.#tokens.clear();
    this.tokenLifetimeSec = undefined;
    const s = this.seed();
    for (const t of s.tenants)
      this.tenants.set(t.id, {
        ...t,
        environments: [...t.environments],
        consentedApps: [...t.consentedApps],
      });
    for (const a of s.apps)
      this.apps.set(a.clientId.toLowerCase(), { ...a, certificatesPem: [...a.certificatesPem] });
  }

  /** A tenant by id or domain (case-insensitive). */
  tenant(idOrDomain: string): EntraTenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.tenants.get(key) ?? [...this.tenants.values()].find((t) => t.domain.toLowerCase() === key);
  }

  /** A tenant's environments as URLs, lower case: a path is resolved against the emulator's base URL. */
  environmentUrls(tenant: EntraTenant, baseUrl: string): string[] {
    return tenant.environments.map((e) => (e.startsWith('/') ? `${baseUrl}${e}` : e).toLowerCase());
  }

  /** The tenant whose environments include `environmentUrl`, if any. */
  tenantOfEnvironment(environmentUrl: string, baseUrl: string): EntraTenant | undefined {
    const url = environmentUrl.toLowerCase();
    return [...this.tenants.values()].find((t) => this.environmentUrls(t, baseUrl).includes(url));
  }

  app(clientId: string): EntraApp | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  /** Whether an administrator of the tenant consented to the app. */
  isConsented(tenant: EntraTenant, clientId: string): boolean {
    return tenant.consentedApps.some((c) => c.toLowerCase() === clientId.toLowerCase());
  }

  /** Records an administrator's consent to the app in the tenant (the admin-consent page's Accept). */
  grantConsent(tenant: EntraTenant, clientId: string): void {
    if (!this.isConsented(tenant, clientId)) tenant.consentedApps.push(clientId.toLowerCase());
  }

  /** Withdraws the tenant's consent to the app; its next token request answers AADSTS700016. False if there was none. */
  revokeConsent(tenant: EntraTenant, clientId: string): boolean {
    const before = tenant.consentedApps.length;
    tenant.consentedApps = tenant.consentedApps.filter((c) => c.toLowerCase() !== clientId.toLowerCase());
    return tenant.consentedApps.length !== before;
  }

  /**
   * Records an assertion's jti for its client. False when that client's jti was already used by a different
   * assertion that is still acceptable (until `keepUntilMs`: its `exp` plus the clock skew the endpoint allows):
   * a replay with other content. The same assertion sent again is accepted: msal-node reuses its assertion until
   * it expires (docs/protocol.md §13.1).
   */
  rememberAssertion(
    clientId: string,
    jti: string,
    signature: string,
    keepUntilMs: number,
    now: number,
  ): boolean {
    if (this.#assertions.size > 1000 && now - this.#prunedAt > 10_000) {
      this.#prunedAt = now;
      for (const [k, v] of this.#assertions) if (v.keepUntilMs < now) this.#assertions.delete(k);
    }
    const key = `${clientId.toLowerCase()}|${jti}`;
    const seen = this.#assertions.get(key);
    // The first assertion is acceptable while now < keepUntilMs (the token endpoint's own rule): from then on its jti is free.
    if (seen && seen.keepUntilMs > now && seen.signature !== signature) return false;
    this.#assertions.set(key, { signature, keepUntilMs });
    return true;
  }

  /** Issues an access token; `lifetimeSec` (the TOKEN_EXPIRY scenario) overrides the lifetime. */
  issueToken(
    t: Omit<IssuedToken, 'expiresAt'>,
    now: number,
    lifetimeSec?: number,
  ): { accessToken: string; expiresIn: number } {
    const expiresIn = lifetimeSec ?? this.tokenLifetimeSec ?? randomInt(3600, 5401);
    const accessToken = randomBytes(32).toString('base64url');
    if (this.#tokens.size > 1000 && now - this.#tokensPrunedAt > 10_000) {
      this.#tokensPrunedAt = now;
      for (const [k, v] of this.#tokens) if (v.expiresAt < now) this.#tokens.delete(k);
    }
    this.#tokens.set(accessToken, { ...t, expiresAt: now + expiresIn * 1000 });
    return { accessToken, expiresIn };
  }

  /** The token's grant, if this emulator issued it and it has not expired. */
  token(accessToken: string, now: number): IssuedToken | undefined {
    const t = this.#tokens.get(accessToken);
    return t && t.expiresAt > now ? t : undefined;
  }
}

/** The demo directory: the Contoso tenant, its Dataverse environment, and the ISV's app with the demo certificate. */
export function demoEntraSeed(demoCertPem: string): { tenants: EntraTenant[]; apps: EntraApp[] } {
  return {
    tenants: [
      {
        id: DEMO_ENTRA.tenantId,
        domain: DEMO_ENTRA.tenantDomain,
        environments: [DEMO_ENTRA.environmentPath],
        consentedApps: [DEMO_ENTRA.clientId],
      },
    ],
    apps: [
      { clientId: DEMO_ENTRA.clientId, displayName: DEMO_ENTRA.appName, certificatesPem: [demoCertPem] },
    ],
  };
}
