/** What the identity platform's admin-consent page sends the administrator back with (docs/protocol.md §13.2). */
export type ConsentResult =
  | { kind: 'granted'; tenant: string | null; orgId: string | null }
  | { kind: 'refused'; error: string; description: string | null; orgId: string | null }
  | { kind: 'unknown'; orgId: string | null };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the consent page's answer from the return URL's query. An `error` decides, whatever else is there (a
 * refusal also carries `admin_consent`); `admin_consent=True` without one is a grant. `state` is the org the
 * console asked for, kept only when it is an org id.
 */
export function readConsentResult(params: URLSearchParams): ConsentResult {
  const state = params.get('state');
  const orgId = state && GUID.test(state) ? state.toLowerCase() : null;
  const error = params.get('error');
  if (error) return { kind: 'refused', error, description: params.get('error_description'), orgId };
  if ((params.get('admin_consent') ?? '').toLowerCase() === 'true')
    return { kind: 'granted', tenant: params.get('tenant'), orgId };
  return { kind: 'unknown', orgId };
}
