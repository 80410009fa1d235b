import type { ApiKey, ApiKeyScope, CreateApiKeyBody } from '@/types/api';

export const SCOPE_CHOICES: ReadonlyArray<{ value: ApiKeyScope; label: string; description: string }> = [
  {
    value: 'calls',
    label: 'calls',
    description: 'Impersonated CRM calls (records, WhoAmI, resolving a user) on the chosen orgs only',
  },
  {
    value: 'audit:read',
    label: 'audit:read',
    description: 'Read the audit, its CSV export and the admin log',
  },
  {
    value: 'metrics:read',
    label: 'metrics:read',
    description: 'Scrape the Prometheus metrics (GET /api/metrics), for a monitoring system',
  },
  {
    value: 'admin',
    label: 'admin',
    description: 'Everything an administrator may do: avoid for integrations',
  },
];

export const EXPIRY_CHOICES = [
  { value: 'never', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]['value'];

export interface KeyFormValues {
  name: string;
  scopes: ApiKeyScope[];
  orgIds: string[];
  expiry: ExpiryChoice;
}

export const EMPTY_KEY_FORM: KeyFormValues = { name: '', scopes: ['calls'], orgIds: [], expiry: '90' };

export type KeyFormErrors = Partial<Record<'name' | 'scopes' | 'orgIds', string>>;

/**
 * The form's values as the API's body, or what to fix first. Mirrors the API's rules (a `calls` key
 * needs orgs; orgs only with `calls`), so the usual mistakes are caught before the request.
 */
export function toCreateBody(
  values: KeyFormValues,
  now: Date,
): { body: CreateApiKeyBody; errors?: undefined } | { body?: undefined; errors: KeyFormErrors } {
  const errors: KeyFormErrors = {};
  const name = values.name.trim();
  if (!name) errors.name = 'Enter what the key is for';
  if (values.scopes.length === 0) errors.scopes = 'Choose at least one scope';
  const calls = values.scopes.includes('calls');
  if (calls && values.orgIds.length === 0) errors.orgIds = 'Choose the orgs this key may call';
  if (Object.keys(errors).length > 0) return { errors };
  const body: CreateApiKeyBody = { name, scopes: [...values.scopes] };
  if (calls) body.orgIds = [...values.orgIds];
  if (values.expiry !== 'never') {
    body.expiresAt = new Date(now.getTime() + Number(values.expiry) * 86_400_000).toISOString();
  }
  return { body };
}

export type KeyState = 'active' | 'expired' | 'revoked';

export function keyState(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: number): KeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

/**
 * A key's orgs as the list shows them: the org's name, or the start of its id when the console does not
 * know it; an org deleted since the key was made is marked as such (the API lists it in deletedOrgIds).
 */
export function orgLabels(
  key: Pick<ApiKey, 'orgIds' | 'deletedOrgIds'>,
  names: ReadonlyMap<string, string>,
): string[] {
  const deleted = new Set(key.deletedOrgIds);
  return key.orgIds.map((id) => {
    const label = names.get(id) ?? id.slice(0, 8);
    return deleted.has(id) ? `${label} (deleted)` : label;
  });
}
