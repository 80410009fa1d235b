import { describe, expect, it } from 'vitest';
import { readConsentResult } from './admin-consent';

const ORG = '11111111-0000-4000-8000-000000000001';

describe('readConsentResult', () => {
  it('reads a grant: admin_consent=True with the tenant, and the org from the state', () => {
    expect(readConsentResult(new URLSearchParams(`tenant=t-1&admin_consent=True&state=${ORG}`))).toEqual({
      kind: 'granted',
      tenant: 't-1',
      orgId: ORG,
    });
  });

  it('reads a refusal by its error even when admin_consent is there too, with its description', () => {
    expect(
      readConsentResult(
        new URLSearchParams(
          `error=access_denied&error_description=AADSTS65004%3A+declined&admin_consent=True&state=${ORG}`,
        ),
      ),
    ).toEqual({ kind: 'refused', error: 'access_denied', description: 'AADSTS65004: declined', orgId: ORG });
  });

  it('says nothing was granted without an answer, and keeps no state that is not an org id', () => {
    expect(readConsentResult(new URLSearchParams('state=<script>'))).toEqual({
      kind: 'unknown',
      orgId: null,
    });
    expect(readConsentResult(new URLSearchParams('admin_consent=False'))).toEqual({
      kind: 'unknown',
      orgId: null,
    });
  });
});
