import { CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import {
  APP,
  APP_OID,
  CLIENT,
  dataverseWorld,
  ENV,
  statuses,
  type DataverseWorldOptions,
} from './testing/onboarding-fakes';

/**
 * OnboardingService.run for a Dataverse org, every collaborator faked (testing/onboarding-fakes, as in
 * onboarding.dataverse.spec): what its first two steps record — the token's scope, its storage and timing, the
 * steps' details, the columns WhoAmI's follow-up read asks for, an application user without a full name or an
 * Entra object id — and the hints of a failed token or WhoAmI step (the consent page that leads back to the
 * console, the application user's name). Every run is a re-check (keepActive).
 */

function world(o: DataverseWorldOptions = {}) {
  const w = dataverseWorld({ ca: [], publicOrigin: 'https://onbehalf.example', thumbprint: 'abcd', ...o });
  return {
    ...w,
    run: () => w.run({ keepActive: true }),
    /** The tickets stored: org, token, kind and the time the token's request took. */
    get ticketSaves() {
      return w.ticketSaves.map((s) => ({
        orgId: s.orgId,
        crmTicket: s.ticket.crmTicket,
        kind: s.kind,
        durationMs: s.durationMs,
      }));
    },
  };
}

const ALL_SUCCEEDED = ['token:succeeded', 'whoami:succeeded', 'delegate:succeeded', 'test-write:succeeded'];

describe('OnboardingService.run: a Dataverse org, its token step', () => {
  it.each([
    ['two trailing slashes', `${ENV}//`],
    ['three trailing slashes', `${ENV}///`],
  ])(
    'drops every trailing slash of an environment URL with %s before asking for the token',
    async (_what, url) => {
      const w = world({ environmentUrl: url });
      const result = await w.run();
      expect(w.sent[0]).toEqual({ op: 'acquireToken', args: [{ scope: `${ENV}/.default` }] });
      expect(w.made.session).toMatchObject({ environmentUrl: ENV });
      expect(statuses(result.steps)).toEqual(ALL_SUCCEEDED);
    },
  );

  it('stores the token with the time its request took (the fake identity platform takes 20 ms)', async () => {
    const w = world();
    await w.run();
    expect(w.ticketSaves).toEqual([
      { orgId: 'org-dv', crmTicket: 'token-1', kind: 'issued', durationMs: 20 },
    ]);
  });

  it('records the token step as the app, tenant and environment it is for, with its expiry', async () => {
    const w = world();
    const result = await w.run();
    expect(result.steps[0]).toMatchObject({
      name: 'token',
      status: 'succeeded',
      detail: `Access token of the app ${CLIENT} in contoso.onmicrosoft.com for ${ENV}, expires 2030-01-01T10:00:00.000Z`,
    });
  });

  it("a refused token's consent hint leads the administrator back to the console's consent page for this org", async () => {
    const w = world({
      tokenFails: new CrmAuthError('ERR_ENTRA_APP_NOT_FOUND', 'AADSTS700016', { faultCode: 'AADSTS700016' }),
    });
    const result = await w.run();
    expect(result.steps[0]!.error!.hint).toContain(
      `https://login.example/contoso.onmicrosoft.com/adminconsent?client_id=${CLIENT}` +
        '&redirect_uri=https%3A%2F%2Fonbehalf.example%2Forgs%2Fconsent&state=org-dv,',
    );
  });
});

describe('OnboardingService.run: a Dataverse org, its WhoAmI step', () => {
  it("reads the application user's full name and Entra object id", async () => {
    const w = world();
    await w.run();
    expect(w.sent[1]).toEqual({
      op: 'retrieveRecord',
      args: [
        { entity: 'systemuser', id: APP, columns: ['fullname', 'azureactivedirectoryobjectid'] },
        undefined,
      ],
    });
  });

  it('records the step as the application user signed in, by name and id', async () => {
    const w = world();
    const result = await w.run();
    expect(result.steps[1]!.detail).toBe(`Signed in as the application user ISV app (${APP})`);
  });

  it('names an application user without a full name by its id, and stores no Entra object id when it has none', async () => {
    const w = world({ appFields: { systemuserid: APP } });
    const result = await w.run();
    expect(statuses(result.steps)).toEqual(ALL_SUCCEEDED);
    expect(result.steps[1]!.detail).toBe(`Signed in as the application user ${APP} (${APP})`);
    expect(w.orgUpdates).toContainEqual({
      serviceAccountUserId: APP,
      serviceAccountName: APP,
      appUserEntraObjectId: null,
      organizationId: 'org-dv',
    });
  });

  it('stores the Entra object id in lower case', async () => {
    const w = world({
      appFields: {
        systemuserid: APP,
        fullname: 'ISV app',
        azureactivedirectoryobjectid: APP_OID.toUpperCase(),
      },
    });
    await w.run();
    expect(w.orgUpdates).toContainEqual(expect.objectContaining({ appUserEntraObjectId: APP_OID }));
  });

  it('a privilege refusal at WhoAmI on a new org names "the application user" in the hint', async () => {
    const w = world({
      whoAmIFails: new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no privilege', { faultCode: '0x80040220' }),
    });
    const result = await w.run();
    expect(result.steps[1]!.status).toBe('failed');
    expect(result.steps[1]!.error!.hint).toBe(
      'the application user lacks a privilege in Contoso DV: give it a security role that allows this.',
    );
  });

  it('a privilege refusal at WhoAmI on a re-checked org names its stored application user in the hint', async () => {
    const w = world({
      serviceAccountName: 'ISV app',
      whoAmIFails: new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no privilege', { faultCode: '0x80040220' }),
    });
    const result = await w.run();
    expect(result.steps[1]!.error!.hint).toBe(
      'ISV app lacks a privilege in Contoso DV: give it a security role that allows this.',
    );
  });
});
