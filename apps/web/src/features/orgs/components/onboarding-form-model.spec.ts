import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DISCOVERY_URL,
  toCreateOrgInput,
  validateOnboardingForm,
  type OnboardingFormValues,
} from './onboarding-form-model';

const crm4: OnboardingFormValues = {
  kind: 'crm4',
  discoveryUrl: DEFAULT_DISCOVERY_URL,
  friendlyName: 'Contoso Ltd',
  certificateId: 'c1',
  tenant: '',
  environmentUrl: '',
  clientId: '',
};
const dataverse: OnboardingFormValues = {
  ...crm4,
  kind: 'dataverse',
  discoveryUrl: '',
  friendlyName: 'Contoso (Dataverse)',
  tenant: 'contoso.onmicrosoft.com',
  environmentUrl: 'https://contoso.crm.dynamics.com/',
  clientId: '{0C6B1E2A-3D4F-4A5B-9C8D-7E6F5A4B3C21}',
};

describe('validateOnboardingForm', () => {
  it('accepts the default discovery URL with a name and a certificate', () => {
    expect(validateOnboardingForm(crm4)).toEqual({});
  });

  it('names every missing or wrong field', () => {
    const errors = validateOnboardingForm({
      ...crm4,
      discoveryUrl: 'http://crm.example/x',
      friendlyName: ' ',
      certificateId: '',
    });
    expect(Object.keys(errors).sort()).toEqual(['certificateId', 'discoveryUrl', 'friendlyName']);
    expect(errors.discoveryUrl).toMatch(/https/);
    expect(validateOnboardingForm({ ...crm4, discoveryUrl: 'not a url' }).discoveryUrl).toMatch(/full URL/);
  });

  it('asks a Dataverse org for its tenant, environment URL and application id, not a discovery URL', () => {
    expect(validateOnboardingForm(dataverse)).toEqual({});
    expect(validateOnboardingForm({ ...dataverse, tenant: '5f1b2c3d-4e6a-4b7c-8d9e-0a1b2c3d4e5f' })).toEqual(
      {},
    );
    const errors = validateOnboardingForm({
      ...dataverse,
      tenant: 'not a tenant',
      environmentUrl: 'http://contoso.crm.dynamics.com',
      clientId: 'my-app',
    });
    expect(Object.keys(errors).sort()).toEqual(['clientId', 'environmentUrl', 'tenant']);
    expect(errors.tenant).toMatch(/GUID or a domain/);
    expect(errors.environmentUrl).toMatch(/https/);
    expect(errors.clientId).toMatch(/GUID/);
    const empty = validateOnboardingForm({ ...dataverse, tenant: ' ', environmentUrl: '', clientId: '' });
    expect(Object.keys(empty).sort()).toEqual(['clientId', 'environmentUrl', 'tenant']);
  });
});

describe('toCreateOrgInput', () => {
  it('sends a CRM 4.0 org as before: discovery URL, name and certificate, trimmed', () => {
    expect(toCreateOrgInput({ ...crm4, friendlyName: ' Contoso Ltd ', tenant: 'x' })).toEqual({
      discoveryUrl: DEFAULT_DISCOVERY_URL,
      friendlyName: 'Contoso Ltd',
      certificateId: 'c1',
    });
  });

  it('sends a Dataverse org with its kind, the environment URL without a trailing slash and a plain lower-case client id', () => {
    expect(toCreateOrgInput(dataverse)).toEqual({
      kind: 'dataverse',
      tenant: 'contoso.onmicrosoft.com',
      environmentUrl: 'https://contoso.crm.dynamics.com',
      clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
      friendlyName: 'Contoso (Dataverse)',
      certificateId: 'c1',
    });
  });

  it('sends a tenant id typed with braces as the plain GUID the API takes (it refuses braces)', () => {
    const input = toCreateOrgInput({ ...dataverse, tenant: ' {72F988BF-86F1-41AF-91AB-2D7CD011DB47} ' });
    expect(input).toMatchObject({ tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
  });
});
