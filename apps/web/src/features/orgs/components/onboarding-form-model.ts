export const DEFAULT_DISCOVERY_URL =
  'https://localhost:8443/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';

/** The embedded emulator's demo environment (scripts/start.mjs), as the CRM default names its discovery service. */
export const DEFAULT_DATAVERSE = {
  tenant: 'contoso.onmicrosoft.com',
  environmentUrl: 'https://localhost:8443/dataverse/contosodv',
  clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
} as const;

/** The platform of the org being onboarded: CRM 4.0 Online (Windows Live) or Dataverse (Entra ID). */
export type OrgKind = 'crm4' | 'dataverse';

export interface OnboardingFormValues {
  kind: OrgKind;
  friendlyName: string;
  certificateId: string;
  /** CRM 4.0 only. */
  discoveryUrl: string;
  /** Dataverse only: the customer's Entra tenant (id or domain), the environment and the ISV app's id. */
  tenant: string;
  environmentUrl: string;
  clientId: string;
}

export type OnboardingFormErrors = Partial<Record<keyof OnboardingFormValues, string>>;

/** What POST /api/orgs takes for each platform. */
export type CreateOrgInput =
  | { kind?: 'crm4'; discoveryUrl: string; friendlyName: string; certificateId: string }
  | {
      kind: 'dataverse';
      tenant: string;
      environmentUrl: string;
      clientId: string;
      friendlyName: string;
      certificateId: string;
    };

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const TENANT_DOMAIN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/i;

function httpsUrlError(value: string, empty: string, example: string, name: string): string | undefined {
  const url = value.trim();
  if (!url) return empty;
  try {
    if (new URL(url).protocol !== 'https:') return `The ${name} must start with https://`;
  } catch {
    return `Enter a full URL, such as ${example}`;
  }
  return undefined;
}

/** Checks the wizard's fields for the chosen platform before anything is sent; the API still has the last word. */
export function validateOnboardingForm(values: OnboardingFormValues): OnboardingFormErrors {
  const errors: OnboardingFormErrors = {};
  if (values.kind === 'dataverse') {
    const tenant = values.tenant.trim();
    if (!tenant)
      errors.tenant = 'Enter the customer’s tenant: its id (a GUID) or domain (contoso.onmicrosoft.com)';
    else if (!GUID.test(tenant) && !TENANT_DOMAIN.test(tenant))
      errors.tenant = 'The tenant is a GUID or a domain such as contoso.onmicrosoft.com';
    const env = httpsUrlError(
      values.environmentUrl,
      'Enter the environment URL',
      'https://contoso.crm.dynamics.com',
      'environment URL',
    );
    if (env) errors.environmentUrl = env;
    const clientId = values.clientId.trim();
    if (!clientId) errors.clientId = 'Enter the application (client) id of the ISV app registration';
    else if (!GUID.test(clientId)) errors.clientId = 'The application id is a GUID';
  } else {
    const discovery = httpsUrlError(
      values.discoveryUrl,
      'Enter the discovery service URL',
      'https://dev.crm.dynamics.com/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
      'discovery service URL',
    );
    if (discovery) errors.discoveryUrl = discovery;
  }
  if (!values.friendlyName.trim())
    errors.friendlyName =
      values.kind === 'dataverse'
        ? 'Enter a name for the environment (e.g. Contoso (Dataverse))'
        : "Enter the org's friendly name as CRM shows it (e.g. Contoso Ltd)";
  if (!values.certificateId) errors.certificateId = 'Choose the certificate';
  return errors;
}

/** The request for the chosen platform: its own fields only, trimmed. */
export function toCreateOrgInput(values: OnboardingFormValues): CreateOrgInput {
  const common = { friendlyName: values.friendlyName.trim(), certificateId: values.certificateId };
  if (values.kind === 'dataverse')
    return {
      kind: 'dataverse',
      tenant: tenantOf(values.tenant),
      environmentUrl: values.environmentUrl.trim().replace(/\/+$/, ''),
      clientId: values.clientId.trim().replace(/[{}]/g, '').toLowerCase(),
      ...common,
    };
  return { discoveryUrl: values.discoveryUrl.trim(), ...common };
}

/** The tenant as the API takes it: a domain as typed, a tenant id as a plain lower-case GUID (the form allows braces). */
function tenantOf(value: string): string {
  const tenant = value.trim();
  return GUID.test(tenant) ? tenant.replace(/[{}]/g, '').toLowerCase() : tenant;
}
