/**
 * What an API key may do. A key holds one or more scopes; a route declares the scope it needs
 * (`@RequiresScope` on the route or its controller) and the guard refuses a key that lacks it.
 *
 * - `calls`: impersonated calls on the orgs the key names (the records routes, WhoAmI, resolving a user
 *   mapping): what an ISV integration needs to act on behalf of its users, nothing else.
 * - `audit:read`: the ledger (search, CSV export, an org's recent calls) and the admin activity log.
 * - `metrics:read`: the Prometheus scrape target (`GET /metrics`), for a scraper that needs nothing else.
 * - `admin`: everything an admin session may do (implies the others).
 *
 * Deny by default: a route that declares no scope needs `admin` from a key. Cookie sessions are not
 * scoped (their role decides).
 */
export const API_KEY_SCOPES = ['calls', 'audit:read', 'metrics:read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What a route needs from a key: a scope, and for per-org scopes the route parameter holding the org id. */
export interface ScopeRequirement {
  scope: ApiKeyScope;
  orgParam?: string;
}

/** The scopes and orgs of the key making a request. */
export interface KeyGrant {
  scopes: readonly ApiKeyScope[];
  orgIds: readonly string[];
}

/** Why a key was refused: the scope it lacks and, when it has the scope but not for this org, the org. */
export interface ScopeRefusal {
  missingScope: ApiKeyScope;
  orgId?: string;
}

/** Every route's requirement when it declares none: only an `admin` key may call it. */
export const DEFAULT_REQUIREMENT: ScopeRequirement = { scope: 'admin' };

/** The requirement of a route: its (or its controller's) decorator, else `admin`. */
export function requirementOf(declared: ScopeRequirement | undefined): ScopeRequirement {
  return declared ?? DEFAULT_REQUIREMENT;
}

/**
 * Decides whether a key may call a route: null when it may, else what it lacks. `admin` implies every
 * scope (on every org); a per-org scope also needs the route's org to be one the key names.
 */
export function scopeRefusal(
  key: KeyGrant,
  need: ScopeRequirement,
  params: Readonly<Record<string, string | string[] | undefined>>,
): ScopeRefusal | null {
  if (key.scopes.includes('admin')) return null;
  if (!key.scopes.includes(need.scope)) return { missingScope: need.scope };
  if (need.orgParam === undefined) return null;
  const raw = params[need.orgParam];
  const orgId = typeof raw === 'string' ? raw.toLowerCase() : '';
  return key.orgIds.some((o) => o.toLowerCase() === orgId) ? null : { missingScope: need.scope, orgId };
}
