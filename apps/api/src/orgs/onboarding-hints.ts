import { isCrmAuthError } from '@onbehalf/crm-auth';
import type { StepName } from './onboarding-run.entity';

export interface StepFailure {
  code: string;
  message: string;
  hint: string;
}

export interface HintContext {
  discoveryUrl: string;
  stsUrl: string;
  friendlyName: string;
  serviceAccount: string;
  /** A Dataverse org: where its token comes from and what it is for. */
  dataverse?: DataverseHintContext;
}

/** What a Dataverse org's hints name: the identity platform, the customer's tenant, the ISV app, the environment. */
export interface DataverseHintContext {
  authorityUrl: string;
  tenant: string;
  clientId: string;
  environmentUrl: string;
  /** The certificate's SHA-1 thumbprint (hex), as the app registration lists it. */
  certificateThumbprint: string;
  /**
   * Where the identity platform sends the administrator back after admin consent (the console's consent page),
   * and the org it is for (`state`). Absent: the consent URL has neither.
   */
  consentReturn?: { redirectUri: string; orgId: string };
}

/** The admin-consent page where the customer's administrator grants the ISV app access to their tenant. */
export function adminConsentUrl(
  d: Pick<DataverseHintContext, 'authorityUrl' | 'tenant' | 'clientId' | 'consentReturn'>,
): string {
  const back = d.consentReturn
    ? `&redirect_uri=${encodeURIComponent(d.consentReturn.redirectUri)}&state=${encodeURIComponent(d.consentReturn.orgId)}`
    : '';
  return `${d.authorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(d.tenant)}/adminconsent?client_id=${encodeURIComponent(d.clientId)}${back}`;
}

/** The fault code Dataverse answers when the application user lacks prvActOnBehalfOfAnotherUser (§13.3). */
const NO_DELEGATE_PRIVILEGE = '0x8004A110';

/**
 * Turns a failure at an onboarding step into plain words and the fix, naming what to change
 * and where. The code is the contract; message and hint are for people.
 */
export function explainFailure(step: StepName, err: unknown, h: HintContext): StepFailure {
  if (!isCrmAuthError(err)) {
    const code = (err as { code?: string })?.code;
    if (typeof code === 'string' && code.startsWith('ONBOARDING_')) {
      return { code, message: (err as Error).message, hint: (err as { hint?: string }).hint ?? '' };
    }
    return {
      code: 'INTERNAL_ERROR',
      message: err instanceof Error ? err.message : 'Unexpected error',
      hint: 'See the API log.',
    };
  }
  const dv = h.dataverse;
  const where = dv
    ? step === 'token'
      ? dv.authorityUrl
      : dv.environmentUrl
    : step === 'wlid-ticket'
      ? h.stsUrl
      : h.discoveryUrl;
  const transport: Record<string, string> = {
    ERR_CONNECTION_REFUSED: `Nothing answers at ${where}. Check the URL and that the service is running.`,
    ERR_DNS: `The host of ${where} does not resolve. Check the URL.`,
    ERR_TIMEOUT: `${where} did not answer in time. Check the network, or try again.`,
    ERR_CONNECTION_RESET: `${where} dropped the connection. Try again; if it persists, check proxies and firewalls.`,
    ERR_TLS:
      step === 'wlid-ticket'
        ? `The TLS handshake with the Windows Live STS failed: the server's CA must be trusted (ONBEHALF_TRUSTED_CA_FILES) and the STS must accept the certificate as a client certificate.`
        : `The TLS handshake with ${where} failed: its CA must be trusted (ONBEHALF_TRUSTED_CA_FILES).`,
    ERR_HTTP_STATUS: `${where} answered with an HTTP error instead of SOAP. Check the URL, or try again later.`,
    ERR_HTML_INSTEAD_OF_SOAP: `${where} answered with an HTML page, not the service. The discovery URL should end in /MSCRMServices/2007/Passport/CrmDiscoveryService.asmx.`,
    ERR_XML_MALFORMED: `${where} answered with a broken message. Try again; if it persists, check what sits in front of the service.`,
    ERR_UNEXPECTED_MESSAGE: `${where} answered with an unexpected message. Check that the URL is the CRM Online discovery service.`,
  };
  const hint = (): string => {
    if (dv) {
      const entra = dataverseHint(err.code, err.faultCode, dv, h);
      if (entra) return entra;
    }
    switch (err.code) {
      case 'ERR_WLID_FAULT':
        return `Windows Live refused the certificate: associate it with the service account's Live ID (${h.serviceAccount}), and check it is not expired or revoked.`;
      case 'ERR_CRM_ORG_DISABLED':
        return `The organization "${h.friendlyName}" is disabled in CRM Online. Ask the customer to enable it, then retry.`;
      case 'ERR_CRM_BAD_TICKET':
      case 'ERR_CRM_EXPIRED_TICKET':
        return 'CRM refused the ticket. Retry; if it persists, the service account may have lost access to the org.';
      case 'ERR_CRM_PRIVILEGE_DENIED':
        return step === 'proxy-role'
          ? `Give ${h.serviceAccount} the proxy role, with "Act on Behalf of Another User" (prvActOnBehalfOfAnotherUser), in ${h.friendlyName}.`
          : `${h.serviceAccount} lacks a privilege in ${h.friendlyName}: give it a security role that allows this.`;
      case 'ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED':
        return `The user acted for lacks the right to create accounts in ${h.friendlyName}. Give that user a role with Create on Account.`;
      case 'ERR_CRM_USER_DISABLED':
        return `The user is disabled in ${h.friendlyName}. Enable the user, or pick another.`;
      case 'ERR_CRM_OBJECT_NOT_FOUND':
        return `CRM did not find the record or user in ${h.friendlyName}.`;
      case 'ERR_ORG_AMBIGUOUS':
        return ambiguousHint(err.organizations ?? [], h);
      case 'ERR_TICKET_STORE':
        return "Onbehalf's own ticket store (its Postgres database) failed, not the customer's CRM. Check the API's database and the API log, then retry.";
      default:
        return transport[err.code] ?? 'See the message; fix the cause and retry.';
    }
  };
  return { code: err.code.replace(/^ERR_/, ''), message: err.message, hint: hint() };
}

/** A Dataverse org's own fixes: the app's registration, consent, tenant and environment, and the Delegate role. */
function dataverseHint(
  code: string,
  faultCode: string | undefined,
  d: DataverseHintContext,
  h: HintContext,
): string | null {
  switch (code) {
    case 'ERR_ENTRA_APP_NOT_FOUND':
      return `The app ${d.clientId} is not consented in the tenant ${d.tenant} (AADSTS700016). An administrator of the tenant grants admin consent at ${adminConsentUrl(d)}, then retry.`;
    case 'ERR_ENTRA_CERT_NOT_ON_APP':
      return `The identity platform does not know this certificate for the app ${d.clientId} (AADSTS700027). Upload this certificate (thumbprint ${d.certificateThumbprint}) to the app registration's certificates, then retry.`;
    case 'ERR_ENTRA_TENANT_NOT_FOUND':
      return `No tenant "${d.tenant}" (AADSTS90002). Check the tenant: its id (a GUID) or a verified domain such as contoso.onmicrosoft.com.`;
    case 'ERR_ENTRA_NO_RESOURCE':
      return `The tenant ${d.tenant} has no Dataverse environment at ${d.environmentUrl} (AADSTS500011). Check the environment URL (as the Power Platform admin center shows it) and that it belongs to this tenant.`;
    case 'ERR_ENTRA_ASSERTION_TIME':
    case 'ERR_ENTRA_CERT_VALIDITY':
      return `The identity platform refused the certificate's validity or the assertion's time (${faultCode ?? code}): check that the certificate (thumbprint ${d.certificateThumbprint}) is within its validity period and that this server's clock is right.`;
    case 'ERR_ENTRA_BAD_SIGNATURE':
      return `The identity platform could not verify the assertion's signature: upload this certificate (thumbprint ${d.certificateThumbprint}) to the app registration again, with its current key.`;
    case 'ERR_CRM_PRIVILEGE_DENIED':
      return faultCode?.toUpperCase() === NO_DELEGATE_PRIVILEGE.toUpperCase()
        ? `The application user ${h.serviceAccount} lacks prvActOnBehalfOfAnotherUser (${NO_DELEGATE_PRIVILEGE}). Give the application user the Delegate security role directly in ${h.friendlyName}, not through a team: a role held through a team does not let it act on behalf of others.`
        : null;
    case 'ERR_CRM_EXPIRED_TICKET':
    case 'ERR_RETRIES_EXHAUSTED':
      return `The environment ${d.environmentUrl} refused the app's access token. Check that the app has an application user in ${h.friendlyName} (Power Platform admin center, Application users), then retry.`;
    default:
      return null;
  }
}

/** At most this many unique names are offered in the hint for a shared friendly name. */
const MAX_CANDIDATES = 10;

function ambiguousHint(candidates: ReadonlyArray<{ organizationName: string }>, h: HintContext): string {
  const fix = `Several organizations are named "${h.friendlyName}": onboard with the unique name of the one you mean (it is the name in the org's URL)`;
  if (candidates.length === 0) return `${fix}.`;
  const names = candidates.slice(0, MAX_CANDIDATES).map((c) => c.organizationName);
  const more = candidates.length - names.length;
  return `${fix}, one of: ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`;
}

/** An onboarding failure that is not a protocol error (a missing org, an unstamped record). */
export class OnboardingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
