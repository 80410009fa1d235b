import { describe, expect, it } from 'vitest';
import type { CreateOrgDto } from './dto/create-org.dto';
import { platformOf } from './orgs.service';

const base = { friendlyName: 'Contoso', certificateId: 'c0000000-0000-4000-8000-000000000001' };

describe('platformOf: where a new org is, by its kind', () => {
  it('a CRM 4.0 org (the default kind) is its discovery URL, trimmed', () => {
    expect(platformOf({ ...base, discoveryUrl: ' https://disco.example/x ' } as CreateOrgDto)).toEqual({
      kind: 'crm4',
      discoveryUrl: 'https://disco.example/x',
    });
  });

  it('a Dataverse org is its tenant and client id in lower case and its environment URL without trailing slashes', () => {
    expect(
      platformOf({
        ...base,
        kind: 'dataverse',
        tenant: ' Contoso.OnMicrosoft.com ',
        environmentUrl: 'https://contoso.crm.dynamics.com//',
        clientId: '0C6B1E2A-3D4F-4A5B-9C8D-7E6F5A4B3C21',
      } as CreateOrgDto),
    ).toEqual({
      kind: 'dataverse',
      tenant: 'contoso.onmicrosoft.com',
      environmentUrl: 'https://contoso.crm.dynamics.com',
      clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
    });
  });

  it("refuses the other kind's fields with 400, naming them", () => {
    expect(() =>
      platformOf({
        ...base,
        kind: 'dataverse',
        discoveryUrl: 'https://d',
        tenant: 't',
        environmentUrl: 'https://e',
        clientId: 'c',
      } as CreateOrgDto),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/^discoveryUrl is for CRM 4\.0 orgs/),
      }),
    );
    expect(() =>
      platformOf({ ...base, discoveryUrl: 'https://d', tenant: 't', clientId: 'c' } as CreateOrgDto),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/^tenant, clientId are for Dataverse orgs/),
      }),
    );
  });
});
