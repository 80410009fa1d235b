import { CrmAuthError, type OrgCallOptions } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { DATAVERSE_STEPS } from './onboarding.service';
import {
  APP,
  APP_OID,
  dataverseWorld,
  ENV,
  EXPIRES,
  JON,
  JON_OID,
  person,
  statuses,
  type DataverseWorldOptions,
} from './testing/onboarding-fakes';

/**
 * OnboardingService.run for a Dataverse org with every collaborator faked (testing/onboarding-fakes): the identity
 * platform's token client, the environment's session (a small in-memory Web API that stamps what it creates), its
 * user list, the run and org repositories, the ticket store and the ledger. The emulator-backed run is
 * dataverse-org.int-spec.
 */

function world(o: DataverseWorldOptions = {}) {
  const w = dataverseWorld(o);
  return {
    ...w,
    /** The tickets stored: org, kind, the token and its expiry. */
    get ticketSaves() {
      return w.ticketSaves.map((s) => ({
        orgId: s.orgId,
        kind: s.kind,
        crmTicket: s.ticket.crmTicket,
        crmExpiresAt: s.ticket.crmExpiresAt,
      }));
    },
  };
}

describe('OnboardingService.run: a Dataverse org', () => {
  it('runs token, whoami, delegate and test-write, and activates the org', async () => {
    const w = world();
    const result = await w.run();
    expect(DATAVERSE_STEPS.map((s) => s.name)).toEqual(['token', 'whoami', 'delegate', 'test-write']);
    expect(statuses(result.steps)).toEqual([
      'token:succeeded',
      'whoami:succeeded',
      'delegate:succeeded',
      'test-write:succeeded',
    ]);
    expect(result.status).toBe('succeeded');
    expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'active' });
    expect(w.closed.sort()).toEqual(['entra', 'session']);
  });

  it("asks the org's tenant for a token for the environment as the app, and stores it as the org's ticket", async () => {
    const w = world();
    await w.run();
    expect(w.made.entra).toMatchObject({
      authorityUrl: 'https://login.example',
      tenant: 'contoso.onmicrosoft.com',
      clientId: 'c0000000-0000-0000-0000-000000000001',
      ca: ['CA'],
    });
    expect(w.sent[0]).toEqual({ op: 'acquireToken', args: [{ scope: `${ENV}/.default` }] });
    expect(w.ticketSaves).toEqual([
      { orgId: 'org-dv', kind: 'issued', crmTicket: 'token-1', crmExpiresAt: EXPIRES },
    ]);
    expect(w.made.session).toMatchObject({ environmentUrl: ENV, tenant: 'contoso.onmicrosoft.com' });
    expect(w.made.usersAsked).toEqual({ top: 50, peopleOnly: true });
  });

  it('stores the application user as the service account, with its Entra object id', async () => {
    const w = world();
    await w.run();
    expect(w.orgUpdates).toContainEqual({
      serviceAccountUserId: APP,
      serviceAccountName: 'ISV app',
      appUserEntraObjectId: APP_OID,
      organizationId: 'org-dv',
    });
  });

  it('acts for the first enabled person by Entra object id: not an application user, a disabled one, or one without an object id', async () => {
    const ann = '10000000-0000-0000-0000-00000000000c';
    const w = world({
      users: [
        person(APP, 'ISV app', APP_OID, { applicationId: 'c1' }),
        person('10000000-0000-0000-0000-0000000000d1', 'Other app', '70000000-0000-0000-0000-0000000000d1', {
          applicationId: 'c2',
        }),
        person(ann, 'Ann Off', '70000000-0000-0000-0000-00000000000c', { disabled: true }),
        person('10000000-0000-0000-0000-00000000000e', 'No Entra', null),
        person(JON, 'Jon Wilson', JON_OID),
      ],
    });
    const result = await w.run();
    const delegate = w.sent.find(
      (x) => x.op === 'retrieveRecord' && (x.args[1] as OrgCallOptions)?.onBehalfOf,
    )!;
    expect(delegate.args).toEqual([
      { entity: 'systemuser', id: JON, columns: ['systemuserid', 'fullname'] },
      { onBehalfOf: { entraObjectId: JON_OID } },
    ]);
    expect(result.steps[2]!.detail).toContain('Jon Wilson');
  });

  it('fails the delegate step with ONBOARDING_NO_USER when only application users remain, skipping the test write', async () => {
    const w = world({ users: [person(APP, 'ISV app', APP_OID, { applicationId: 'c1' })] });
    const result = await w.run();
    expect(statuses(result.steps)).toEqual([
      'token:succeeded',
      'whoami:succeeded',
      'delegate:failed',
      'test-write:skipped',
    ]);
    expect(result.steps[2]!.error?.code).toBe('ONBOARDING_NO_USER');
    expect(w.ticketRemovals).toEqual(['org-dv']);
    expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'failed' });
  });

  it('0x8004A110 at the delegate step names the Delegate role as the fix', async () => {
    const w = world({
      delegateFails: new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no prvActOnBehalfOfAnotherUser', {
        faultCode: '0x8004A110',
      }),
    });
    const result = await w.run();
    expect(result.steps[2]!.error).toMatchObject({ code: 'CRM_PRIVILEGE_DENIED' });
    expect(result.steps[2]!.error!.hint).toContain('Delegate security role directly');
    expect(result.steps[2]!.error!.hint).toContain('ISV app');
  });

  it('a refused token fails the first step, skips the rest, and keeps an active org on a re-check', async () => {
    const w = world({
      tokenFails: new CrmAuthError('ERR_ENTRA_APP_NOT_FOUND', 'AADSTS700016', { faultCode: 'AADSTS700016' }),
    });
    const result = await w.run({ keepActive: true });
    expect(statuses(result.steps)).toEqual([
      'token:failed',
      'whoami:skipped',
      'delegate:skipped',
      'test-write:skipped',
    ]);
    expect(result.steps[0]!.error!.hint).toContain(
      'https://login.example/contoso.onmicrosoft.com/adminconsent?client_id=c0000000-0000-0000-0000-000000000001',
    );
    expect(w.ticketRemovals).toEqual([]);
    expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'active' });
  });

  it('writes the test record on behalf of the user with its ledger row, and checks both stamps', async () => {
    const w = world();
    const result = await w.run();
    const create = w.sent.find((x) => x.op === 'createRecord')!;
    expect(create.args[1]).toEqual({ onBehalfOf: { entraObjectId: JON_OID } });
    expect(w.ledger[0]).toMatchObject({
      op: 'begin',
      args: {
        orgId: 'org-dv',
        operation: 'Create',
        entity: 'account',
        serviceAccountId: APP,
        serviceAccountName: 'ISV app',
        onBehalfOfId: JON,
        onBehalfOfName: 'Jon Wilson',
        caller: 'onboarding',
      },
    });
    expect(w.ledger[1]).toMatchObject({
      op: 'complete',
      args: { recordId: '30000000-0000-0000-0000-000000000001' },
    });
    expect(result.steps[3]!.detail).toMatch(/createdby Jon Wilson, createdonbehalfby ISV app$/);
  });

  it.each([
    [
      'createdonbehalfby is not the application user',
      { createdby: JON, createdonbehalfby: JON },
      /createdonbehalfby/,
    ],
    ['createdby is not the user acted for', { createdby: APP, createdonbehalfby: APP }, /as createdby/],
  ])('fails the test write with ONBOARDING_NOT_STAMPED when %s', async (_what, ids, message) => {
    const w = world({
      stamps: () => ({
        createdby: { id: ids.createdby, type: 'systemuser' },
        createdonbehalfby: { id: ids.createdonbehalfby, type: 'systemuser' },
      }),
    });
    const result = await w.run();
    expect(result.steps[3]!.status).toBe('failed');
    expect(result.steps[3]!.error!.code).toBe('ONBOARDING_NOT_STAMPED');
    expect(result.steps[3]!.error!.message).toMatch(message);
  });
});
