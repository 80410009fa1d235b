import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCOVERY_URL, validateOnboardingForm } from './onboarding-form-model';

describe('validateOnboardingForm', () => {
  it('accepts the default discovery URL with a name and a certificate', () => {
    expect(
      validateOnboardingForm({
        discoveryUrl: DEFAULT_DISCOVERY_URL,
        friendlyName: 'Contoso Ltd',
        certificateId: 'c1',
      }),
    ).toEqual({});
  });

  it('names every missing or wrong field', () => {
    const errors = validateOnboardingForm({
      discoveryUrl: 'http://crm.example/x',
      friendlyName: ' ',
      certificateId: '',
    });
    expect(Object.keys(errors).sort()).toEqual(['certificateId', 'discoveryUrl', 'friendlyName']);
    expect(errors.discoveryUrl).toMatch(/https/);
    expect(
      validateOnboardingForm({ discoveryUrl: 'not a url', friendlyName: 'x', certificateId: 'c' })
        .discoveryUrl,
    ).toMatch(/full URL/);
  });
});
