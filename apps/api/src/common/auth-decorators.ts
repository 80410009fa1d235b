import { SetMetadata } from '@nestjs/common';
import type { ApiKeyScope, ScopeRequirement } from '../auth/api-key-scopes';

export const PUBLIC_KEY = 'onbehalf:public';
export const ADMIN_ONLY_KEY = 'onbehalf:admin-only';
export const AUDITOR_MAY_KEY = 'onbehalf:auditor-may';
export const REQUIRES_SCOPE_KEY = 'onbehalf:requires-scope';

/** The route needs no session (login, health, the RPS callback). Everything else is denied by default. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** Even reads need the admin role (admin users, API keys). */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY_KEY, true);
/** An unsafe method that an auditor may still call (sign-out). */
export const AuditorMay = () => SetMetadata(AUDITOR_MAY_KEY, true);
/**
 * The scope an API key needs for this route (without it, a key needs `admin`). `org` names the route
 * parameter holding the org id when the scope is granted per org (`calls`). Sessions are not affected.
 */
export const RequiresScope = (scope: ApiKeyScope, opts: { org?: string } = {}) =>
  SetMetadata(REQUIRES_SCOPE_KEY, { scope, orgParam: opts.org } satisfies ScopeRequirement);
