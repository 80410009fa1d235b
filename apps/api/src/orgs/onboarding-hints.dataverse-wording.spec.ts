import { CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { adminConsentUrl, explainFailure } from './onboarding-hints';
import { DV_HINTS as DV } from './testing/onboarding-fakes';

/**
 * The Dataverse hints that onboarding-hints.dataverse.spec does not pin word for word: the admin-consent URL
 * under an authority written with trailing slashes, the bad-signature hint, the refused access token hint
 * (an expired ticket or exhausted retries), and a privilege refusal that carries no fault code.
 */

const CONSENT =
  'https://login.example/contoso.onmicrosoft.com/adminconsent?client_id=0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21';

describe('adminConsentUrl: the authority written with trailing slashes', () => {
  it.each([
    ['one trailing slash', 'https://login.example/'],
    ['two trailing slashes', 'https://login.example//'],
    ['three trailing slashes', 'https://login.example///'],
  ])('drops %s before the tenant', (_what, authorityUrl) => {
    expect(adminConsentUrl({ ...DV.dataverse!, authorityUrl })).toBe(CONSENT);
  });

  it('keeps an authority without a trailing slash as written', () => {
    expect(adminConsentUrl(DV.dataverse!)).toBe(CONSENT);
  });
});

describe('explainFailure: a Dataverse org, hints in full', () => {
  it('a bad assertion signature (AADSTS7000274): upload the certificate again, with its current key, naming its thumbprint', () => {
    const f = explainFailure(
      'token',
      new CrmAuthError('ERR_ENTRA_BAD_SIGNATURE', 'refused: AADSTS7000274', { faultCode: 'AADSTS7000274' }),
      DV,
    );
    expect(f.code).toBe('ENTRA_BAD_SIGNATURE');
    expect(f.hint).toBe(
      "The identity platform could not verify the assertion's signature: upload this certificate (thumbprint ab12cd34) to the app registration again, with its current key.",
    );
  });

  it.each(['ERR_CRM_EXPIRED_TICKET', 'ERR_RETRIES_EXHAUSTED'] as const)(
    "%s from the environment: the app's access token was refused, check its application user",
    (code) => {
      const f = explainFailure('whoami', new CrmAuthError(code, 'refused'), DV);
      expect(f.hint).toBe(
        "The environment https://contoso.crm.dynamics.com refused the app's access token. Check that the app has an application user in Contoso DV (Power Platform admin center, Application users), then retry.",
      );
    },
  );

  it('a privilege refusal without a fault code keeps the general hint, naming the application user', () => {
    const f = explainFailure('test-write', new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no privilege'), DV);
    expect(f.code).toBe('CRM_PRIVILEGE_DENIED');
    expect(f.hint).toBe(
      'Onbehalf ISV integration lacks a privilege in Contoso DV: give it a security role that allows this.',
    );
  });

  it('the Delegate fault code matches whatever its letter case', () => {
    const f = explainFailure(
      'delegate',
      new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no prvActOnBehalfOfAnotherUser', {
        faultCode: '0x8004a110',
      }),
      DV,
    );
    expect(f.hint).toContain('Give the application user the Delegate security role directly in Contoso DV');
  });
});
