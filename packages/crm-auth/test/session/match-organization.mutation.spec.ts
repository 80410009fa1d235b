/**
 * Mutation-testing additions (stryker/README.md) for matchOrganization: a unique name with
 * surrounding spaces, how a friendly name's case and spaces are folded, and what the errors carry.
 */
import { describe, expect, it } from 'vitest';
import { CrmAuthError } from '../../src/errors';
import type { OrganizationDetail } from '../../src/messages/types';
import { matchOrganization } from '../../src/session/match-organization';

const org = (organizationName: string, friendlyName: string): OrganizationDetail => ({
  organizationName,
  friendlyName,
  crmServiceUrl: `https://${organizationName}.crm.example/MSCrmServices/2007/CrmService.asmx`,
  crmMetadataServiceUrl: `https://${organizationName}.crm.example/MSCrmServices/2007/MetadataService.asmx`,
  organizationId: '5f1d0c2e-0000-4000-8000-00000000c0de',
  webApplicationUrl: `https://${organizationName}.crm.example/`,
});

const contoso = org('contoso', 'Contoso Ltd');
const fabrikam = org('fabrikam', 'Fabrikam');

function thrown(fn: () => unknown): CrmAuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CrmAuthError) return err;
    throw err;
  }
  throw new Error('expected a CrmAuthError');
}

describe('matchOrganization: folding names', () => {
  it('finds an org by its unique name given with surrounding spaces', () => {
    expect(matchOrganization([fabrikam, contoso], '  CONTOSO ')).toBe(contoso);
  });

  it('folds a friendly name by lower-casing it: STRAßE matches Straße, STRASSE does not (ß has no one-letter capital)', () => {
    const strasse = org('strasse', 'Straße GmbH');
    expect(matchOrganization([contoso, strasse], 'STRAßE GMBH')).toBe(strasse);
    expect(thrown(() => matchOrganization([contoso, strasse], 'STRASSE GMBH')).code).toBe(
      'ERR_ORG_NOT_FOUND',
    );
  });

  it('keeps one space between words: a friendly name run together does not match', () => {
    expect(thrown(() => matchOrganization([contoso], 'ContosoLtd')).code).toBe('ERR_ORG_NOT_FOUND');
  });
});

describe('matchOrganization: what the errors carry', () => {
  it('names RetrieveOrganizations as the operation of an ambiguous name', () => {
    const twin = org('contoso2', 'Contoso Ltd');
    const err = thrown(() => matchOrganization([contoso, twin], 'Contoso Ltd'));
    expect(err.code).toBe('ERR_ORG_AMBIGUOUS');
    expect(err.operation).toBe('RetrieveOrganizations');
  });

  it('separates the ten named candidates with commas before saying how many more there are', () => {
    const many = Array.from({ length: 12 }, (_, i) => org(`org${i}`, `Org ${i}`));
    const named = Array.from({ length: 10 }, (_, i) => `"Org ${i}" (org${i})`).join(', ');
    expect(thrown(() => matchOrganization(many, 'none')).message).toBe(
      `the service account belongs to no organization "none" (it sees ${named} and 2 more)`,
    );
  });
});
