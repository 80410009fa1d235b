import { CrmAuthError, type CrmAuthErrorCode } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { adminConsentUrl, explainFailure } from './onboarding-hints';
import type { StepName } from './onboarding-run.entity';
import { DV_HINTS as DV } from './testing/onboarding-fakes';

const entra = (code: CrmAuthErrorCode, aadsts: number) =>
  new CrmAuthError(code, `refused: AADSTS${aadsts}`, { faultCode: `AADSTS${aadsts}` });
const hintOf = (err: CrmAuthError, step: StepName = 'token') => explainFailure(step, err, DV).hint;

describe('explainFailure: a Dataverse org', () => {
  it('names the admin-consent page of the tenant for the app when the app is not consented (AADSTS700016)', () => {
    const url =
      'https://login.example/contoso.onmicrosoft.com/adminconsent?client_id=0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21';
    expect(adminConsentUrl(DV.dataverse!)).toBe(url);
    const f = explainFailure('token', entra('ERR_ENTRA_APP_NOT_FOUND', 700016), DV);
    expect(f.code).toBe('ENTRA_APP_NOT_FOUND');
    expect(f.hint).toContain('admin consent');
    expect(f.hint).toContain(url);
  });

  it("sends the administrator back to the console's consent page, naming the org as the state, when the console's address is known", () => {
    const back = {
      ...DV.dataverse!,
      consentReturn: {
        redirectUri: 'https://onbehalf.example/orgs/consent',
        orgId: '11111111-0000-4000-8000-000000000001',
      },
    };
    expect(adminConsentUrl(back)).toBe(
      'https://login.example/contoso.onmicrosoft.com/adminconsent?client_id=0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21' +
        '&redirect_uri=https%3A%2F%2Fonbehalf.example%2Forgs%2Fconsent&state=11111111-0000-4000-8000-000000000001',
    );
  });

  it('asks to upload this certificate, by thumbprint, to the app registration (AADSTS700027)', () => {
    const h = hintOf(entra('ERR_ENTRA_CERT_NOT_ON_APP', 700027));
    expect(h).toContain('Upload this certificate');
    expect(h).toContain('ab12cd34');
    expect(h).toContain('app registration');
  });

  it('asks to check the tenant (AADSTS90002), naming it', () => {
    const h = hintOf(entra('ERR_ENTRA_TENANT_NOT_FOUND', 90002));
    expect(h).toContain('Check the tenant');
    expect(h).toContain('"contoso.onmicrosoft.com"');
  });

  it('says the tenant has no Dataverse environment at the URL (AADSTS500011)', () => {
    const h = hintOf(entra('ERR_ENTRA_NO_RESOURCE', 500011));
    expect(h).toContain('no Dataverse environment at https://contoso.crm.dynamics.com');
  });

  it.each([
    ['ERR_ENTRA_CERT_VALIDITY', 1000502],
    ['ERR_ENTRA_ASSERTION_TIME', 700024],
  ] as const)('points at the certificate or the clock for %s', (code, n) => {
    const h = hintOf(entra(code, n));
    expect(h).toContain('validity period');
    expect(h).toContain('clock');
    expect(h).toContain(`AADSTS${n}`);
  });

  it('0x8004A110 at the delegate step: give the application user the Delegate role directly, not through a team', () => {
    const err = new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no prvActOnBehalfOfAnotherUser', {
      faultCode: '0x8004A110',
    });
    const h = hintOf(err, 'delegate');
    expect(h).toContain('Delegate security role directly');
    expect(h).toContain('not through a team');
    expect(h).toContain('Onbehalf ISV integration');
  });

  it('another privilege refusal keeps the general hint', () => {
    const err = new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no', { faultCode: '0x80040220' });
    expect(hintOf(err, 'test-write')).toContain('lacks a privilege');
  });

  it('a transport failure of the token step names the identity platform, of the other steps the environment', () => {
    expect(hintOf(new CrmAuthError('ERR_CONNECTION_REFUSED', 'refused'))).toContain('https://login.example');
    expect(hintOf(new CrmAuthError('ERR_CONNECTION_REFUSED', 'refused'), 'whoami')).toContain(
      'https://contoso.crm.dynamics.com',
    );
  });
});
