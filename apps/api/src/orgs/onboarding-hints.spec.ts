import { CrmAuthError, type CrmAuthErrorCode } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { explainFailure, OnboardingError, type HintContext } from './onboarding-hints';
import type { StepName } from './onboarding-run.entity';

const H: HintContext = {
  discoveryUrl: 'https://disco.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
  stsUrl: 'https://sts.example/RST2.srf',
  friendlyName: 'Contoso',
  serviceAccount: 'svc@example.test',
};
const crm = (code: CrmAuthErrorCode, message = `failed with ${code}`) => new CrmAuthError(code, message);
const hintOf = (code: CrmAuthErrorCode, step: StepName = 'organizations') =>
  explainFailure(step, crm(code), H).hint;

describe('explainFailure', () => {
  it('keeps the message, and drops the ERR_ prefix of a protocol error code', () => {
    expect(explainFailure('whoami', crm('ERR_CRM_USER_DISABLED', 'The user is disabled.'), H)).toEqual({
      code: 'CRM_USER_DISABLED',
      message: 'The user is disabled.',
      hint: 'The user is disabled in Contoso. Enable the user, or pick another.',
    });
  });

  it('passes an onboarding error through with its own code and hint', () => {
    expect(
      explainFailure(
        'organizations',
        new OnboardingError('ONBOARDING_ORG_NOT_FOUND', 'No org.', 'Check the name.'),
        H,
      ),
    ).toEqual({
      code: 'ONBOARDING_ORG_NOT_FOUND',
      message: 'No org.',
      hint: 'Check the name.',
    });
    const noHint = Object.assign(new Error('x'), { code: 'ONBOARDING_X' });
    expect(explainFailure('organizations', noHint, H)).toEqual({
      code: 'ONBOARDING_X',
      message: 'x',
      hint: '',
    });
  });

  it('reports anything else as INTERNAL_ERROR pointing at the log', () => {
    expect(explainFailure('policy', new Error('boom'), H)).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'boom',
      hint: 'See the API log.',
    });
    expect(
      explainFailure('policy', Object.assign(new Error('db'), { code: 'ECONNREFUSED' }), H),
    ).toMatchObject({ code: 'INTERNAL_ERROR', message: 'db' });
    expect(explainFailure('policy', Object.assign(new Error('n'), { code: 42 }), H)).toMatchObject({
      code: 'INTERNAL_ERROR',
    });
    expect(
      explainFailure('policy', Object.assign(new Error('p'), { code: 'X_ONBOARDING_' }), H),
    ).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(explainFailure('policy', 'a string', H)).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'Unexpected error',
      hint: 'See the API log.',
    });
    expect(explainFailure('policy', null, H)).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'Unexpected error',
    });
    expect(explainFailure('policy', undefined, H)).toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('names the STS in transport hints of the Windows Live step, the discovery URL elsewhere', () => {
    expect(hintOf('ERR_CONNECTION_REFUSED', 'wlid-ticket')).toBe(
      `Nothing answers at ${H.stsUrl}. Check the URL and that the service is running.`,
    );
    for (const step of ['policy', 'organizations', 'crm-ticket'] as StepName[]) {
      expect(hintOf('ERR_CONNECTION_REFUSED', step)).toBe(
        `Nothing answers at ${H.discoveryUrl}. Check the URL and that the service is running.`,
      );
    }
  });

  it('explains each transport failure', () => {
    const d = H.discoveryUrl;
    expect(hintOf('ERR_DNS')).toBe(`The host of ${d} does not resolve. Check the URL.`);
    expect(hintOf('ERR_TIMEOUT')).toBe(`${d} did not answer in time. Check the network, or try again.`);
    expect(hintOf('ERR_CONNECTION_RESET')).toBe(
      `${d} dropped the connection. Try again; if it persists, check proxies and firewalls.`,
    );
    expect(hintOf('ERR_HTTP_STATUS')).toBe(
      `${d} answered with an HTTP error instead of SOAP. Check the URL, or try again later.`,
    );
    expect(hintOf('ERR_HTML_INSTEAD_OF_SOAP')).toBe(
      `${d} answered with an HTML page, not the service. The discovery URL should end in /MSCRMServices/2007/Passport/CrmDiscoveryService.asmx.`,
    );
    expect(hintOf('ERR_XML_MALFORMED')).toBe(
      `${d} answered with a broken message. Try again; if it persists, check what sits in front of the service.`,
    );
    expect(hintOf('ERR_UNEXPECTED_MESSAGE')).toBe(
      `${d} answered with an unexpected message. Check that the URL is the CRM Online discovery service.`,
    );
  });

  it('explains a TLS failure with the STS as a client-certificate problem too, elsewhere as the CA only', () => {
    expect(hintOf('ERR_TLS', 'wlid-ticket')).toBe(
      "The TLS handshake with the Windows Live STS failed: the server's CA must be trusted (ONBEHALF_TRUSTED_CA_FILES) and the STS must accept the certificate as a client certificate.",
    );
    expect(hintOf('ERR_TLS', 'policy')).toBe(
      `The TLS handshake with ${H.discoveryUrl} failed: its CA must be trusted (ONBEHALF_TRUSTED_CA_FILES).`,
    );
  });

  it('explains the CRM and Windows Live refusals, naming the service account and the org', () => {
    expect(hintOf('ERR_WLID_FAULT', 'wlid-ticket')).toBe(
      "Windows Live refused the certificate: associate it with the service account's Live ID (svc@example.test), and check it is not expired or revoked.",
    );
    expect(hintOf('ERR_CRM_ORG_DISABLED')).toBe(
      'The organization "Contoso" is disabled in CRM Online. Ask the customer to enable it, then retry.',
    );
    const ticket =
      'CRM refused the ticket. Retry; if it persists, the service account may have lost access to the org.';
    expect(hintOf('ERR_CRM_BAD_TICKET')).toBe(ticket);
    expect(hintOf('ERR_CRM_EXPIRED_TICKET')).toBe(ticket);
    expect(hintOf('ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED', 'test-write')).toBe(
      'The user acted for lacks the right to create accounts in Contoso. Give that user a role with Create on Account.',
    );
    expect(hintOf('ERR_CRM_OBJECT_NOT_FOUND', 'whoami')).toBe(
      'CRM did not find the record or user in Contoso.',
    );
  });

  it('asks for the proxy role when a privilege is missing at the proxy-role step, for a security role elsewhere', () => {
    expect(hintOf('ERR_CRM_PRIVILEGE_DENIED', 'proxy-role')).toBe(
      'Give svc@example.test the proxy role, with "Act on Behalf of Another User" (prvActOnBehalfOfAnotherUser), in Contoso.',
    );
    expect(hintOf('ERR_CRM_PRIVILEGE_DENIED', 'test-write')).toBe(
      'svc@example.test lacks a privilege in Contoso: give it a security role that allows this.',
    );
  });

  it('asks for the unique name when two orgs share the friendly name, offering the candidates', () => {
    const err = new CrmAuthError('ERR_ORG_AMBIGUOUS', '2 organizations are named "Contoso"', {
      organizations: [
        { organizationName: 'contoso', friendlyName: 'Contoso' },
        { organizationName: 'contosouk', friendlyName: 'Contoso' },
      ],
    });
    expect(explainFailure('organizations', err, H)).toEqual({
      code: 'ORG_AMBIGUOUS',
      message: '2 organizations are named "Contoso"',
      hint: `Several organizations are named "Contoso": onboard with the unique name of the one you mean (it is the name in the org's URL), one of: contoso, contosouk.`,
    });
    expect(hintOf('ERR_ORG_AMBIGUOUS')).toBe(
      `Several organizations are named "Contoso": onboard with the unique name of the one you mean (it is the name in the org's URL).`,
    );
    const many = Array.from({ length: 12 }, (_, i) => ({
      organizationName: `c${i}`,
      friendlyName: 'Contoso',
    }));
    expect(
      explainFailure('organizations', new CrmAuthError('ERR_ORG_AMBIGUOUS', 'x', { organizations: many }), H)
        .hint,
    ).toMatch(/one of: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 2 more\.$/);
  });

  it("says a ticket store failure is Onbehalf's own database, not the customer's CRM", () => {
    for (const step of ['crm-ticket', 'whoami'] as StepName[]) {
      expect(explainFailure(step, crm('ERR_TICKET_STORE', 'the ticket store failed (set)'), H)).toEqual({
        code: 'TICKET_STORE',
        message: 'the ticket store failed (set)',
        hint: "Onbehalf's own ticket store (its Postgres database) failed, not the customer's CRM. Check the API's database and the API log, then retry.",
      });
    }
  });

  it('falls back to a generic hint for a code without its own', () => {
    expect(hintOf('ERR_CRM_FAULT')).toBe('See the message; fix the cause and retry.');
  });
});

describe('OnboardingError', () => {
  it('carries its code, message and hint', () => {
    const e = new OnboardingError('ONBOARDING_NO_USER', 'No user.', 'Add one.');
    expect(e).toBeInstanceOf(Error);
    expect({ code: e.code, message: e.message, hint: e.hint }).toEqual({
      code: 'ONBOARDING_NO_USER',
      message: 'No user.',
      hint: 'Add one.',
    });
  });
});
