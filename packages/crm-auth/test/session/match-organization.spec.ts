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
const contosoEu = org('contosoeu', 'Contoso  EU');

function thrown(fn: () => unknown): CrmAuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CrmAuthError) return err;
    throw err;
  }
  throw new Error('expected a CrmAuthError');
}

describe('matchOrganization: the one rule for naming an org (session friendlyName, CLI --org)', () => {
  it('finds an org by its friendly name, ignoring case, surrounding spaces and runs of spaces', () => {
    expect(matchOrganization([fabrikam, contoso], 'Contoso Ltd')).toBe(contoso);
    expect(matchOrganization([fabrikam, contoso], '  contoso   LTD ')).toBe(contoso);
    expect(matchOrganization([contosoEu], 'contoso eu')).toBe(contosoEu);
  });

  it('finds an org by its unique name, ignoring case', () => {
    expect(matchOrganization([fabrikam, contoso], 'CONTOSO')).toBe(contoso);
  });

  it("prefers the org whose unique name matches over another org's equal friendly name", () => {
    const impostor = org('other', 'contoso');
    expect(matchOrganization([impostor, contoso], 'contoso')).toBe(contoso);
  });

  it('refuses a friendly name two orgs share with ERR_ORG_AMBIGUOUS listing both unique names', () => {
    const twin = org('contoso2', 'contoso ltd');
    const err = thrown(() => matchOrganization([contoso, fabrikam, twin], 'Contoso Ltd'));
    expect(err.code).toBe('ERR_ORG_AMBIGUOUS');
    expect(err.organizations).toEqual([
      { organizationName: 'contoso', friendlyName: 'Contoso Ltd' },
      { organizationName: 'contoso2', friendlyName: 'contoso ltd' },
    ]);
    expect(err.message).toBe(
      '2 organizations are named "Contoso Ltd": "Contoso Ltd" (contoso), "contoso ltd" (contoso2); give the unique name',
    );
    // The unique name settles it.
    expect(matchOrganization([contoso, fabrikam, twin], 'contoso2')).toBe(twin);
  });

  it('refuses an unknown name with ERR_ORG_NOT_FOUND naming what the account sees', () => {
    const err = thrown(() => matchOrganization([contoso, fabrikam], 'Northwind'));
    expect(err.code).toBe('ERR_ORG_NOT_FOUND');
    expect(err.operation).toBe('RetrieveOrganizations');
    expect(err.organizations?.map((o) => o.organizationName)).toEqual(['contoso', 'fabrikam']);
    expect(err.message).toBe(
      'the service account belongs to no organization "Northwind" (it sees "Contoso Ltd" (contoso), "Fabrikam" (fabrikam))',
    );
    expect(thrown(() => matchOrganization([], 'x')).message).toContain('(it sees none)');
  });

  it('does not match a part of a name', () => {
    expect(thrown(() => matchOrganization([contoso], 'Contoso L')).code).toBe('ERR_ORG_NOT_FOUND');
    expect(thrown(() => matchOrganization([contoso], 'contos')).code).toBe('ERR_ORG_NOT_FOUND');
  });

  it('names at most ten candidates in the message and keeps all of them in the field', () => {
    const many = Array.from({ length: 12 }, (_, i) => org(`org${i}`, `Org ${i}`));
    const err = thrown(() => matchOrganization(many, 'none'));
    expect(err.message).toMatch(/"Org 9" \(org9\) and 2 more\)$/);
    expect(err.organizations).toHaveLength(12);
  });
});

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
