import { describe, expect, it } from 'vitest';
import {
  APP,
  APP_OID,
  dataverseWorld,
  ENV,
  JON,
  JON_OID,
  person,
  type DataverseWorldOptions,
} from './testing/onboarding-fakes';

/**
 * A Dataverse org's delegate and test-write steps in detail, every collaborator faked (testing/onboarding-fakes):
 * which user the run acts for, how it checks the impersonated Retrieve came back with that user's own row, the
 * words of the two steps' failures, and the exact Web API requests of the test write (the create and its
 * read-back). onboarding.dataverse.spec covers the run as a whole.
 */

const world = (o: DataverseWorldOptions = {}) =>
  dataverseWorld({
    environmentUrl: ENV,
    ca: [],
    publicOrigin: 'https://console.example',
    thumbprint: 'abcd',
    ...o,
  });

describe('OnboardingService, Dataverse delegate step: the user to act for', () => {
  it('never acts for the application user itself, even when the list shows it as an enabled person', async () => {
    const w = world({
      users: [person(APP, 'ISV app', APP_OID), person(JON, 'Jon Wilson', JON_OID)],
    });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('succeeded');
    expect(w.impersonated().map((x) => x.args)).toEqual([
      [
        { entity: 'systemuser', id: JON, columns: ['systemuserid', 'fullname'] },
        { onBehalfOf: { entraObjectId: JON_OID } },
      ],
    ]);
  });

  it('with no one but application users, says so and names the org to add a user to', async () => {
    const w = world({ users: [person(APP, 'ISV app', APP_OID, { applicationId: 'c1' })] });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('failed');
    expect(delegate.error).toEqual({
      code: 'ONBOARDING_NO_USER',
      message: 'The environment has no enabled user other than application users to act for.',
      hint: 'Add a user to Contoso DV, then retry.',
    });
  });
});

describe("OnboardingService, Dataverse delegate step: the impersonated Retrieve must return the user's own row", () => {
  it('reads the user from the systemuserid column, braces and case aside, whatever the record id says', async () => {
    const w = world({
      ownRow: () => ({ id: APP, fields: { systemuserid: `{${JON.toUpperCase()}}`, fullname: 'Jon Wilson' } }),
    });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('succeeded');
    expect(delegate.detail).toBe(
      'Acting on behalf of Jon Wilson works (an impersonated Retrieve of their own user record succeeded)',
    );
  });

  it('without a systemuserid column, reads the user from the record id', async () => {
    const w = world({ ownRow: (id) => ({ id, fields: { fullname: 'Jon Wilson' } }) });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('succeeded');
  });

  it("fails with ONBOARDING_NOT_STAMPED, naming the row's user, when another user's row comes back", async () => {
    const w = world({ ownRow: () => ({ id: APP, fields: { systemuserid: APP, fullname: 'ISV app' } }) });
    const result = await w.run();
    const delegate = result.steps.find((s) => s.name === 'delegate')!;
    expect(delegate.status).toBe('failed');
    expect(delegate.error).toEqual({
      code: 'ONBOARDING_NOT_STAMPED',
      message: `Acting for Jon Wilson returned another user's record (${APP}).`,
      hint: 'Impersonation is not taking effect: check that CallerObjectId is honoured for this environment.',
    });
    expect(result.steps.find((s) => s.name === 'test-write')!.status).toBe('skipped');
    expect(w.sent.some((x) => x.op === 'createRecord')).toBe(false);
  });

  it("fails with ONBOARDING_NOT_STAMPED and says 'none' when the row comes back with no user id at all", async () => {
    const w = world({ ownRow: () => ({ id: undefined, fields: { fullname: 'Jon Wilson' } }) });
    const delegate = await w.step('delegate');
    expect(delegate.error).toMatchObject({
      code: 'ONBOARDING_NOT_STAMPED',
      message: "Acting for Jon Wilson returned another user's record (none).",
    });
  });
});

describe('OnboardingService, Dataverse test-write step', () => {
  it('creates an account named as the onboarding check on behalf of the user, then reads back its two stamps', async () => {
    const w = world();
    const write = await w.step('test-write');
    expect(write.status).toBe('succeeded');
    const create = w.sent.find((x) => x.op === 'createRecord')!;
    expect(create.args).toEqual([
      { entity: 'account', fields: { name: expect.stringMatching(/^Onbehalf onboarding check \d{4}-/) } },
      { onBehalfOf: { entraObjectId: JON_OID } },
    ]);
    const readBack = w.sent.at(-1)!;
    expect(readBack).toEqual({
      op: 'retrieveRecord',
      args: [
        {
          entity: 'account',
          id: '30000000-0000-0000-0000-000000000001',
          columns: ['createdby', 'createdonbehalfby'],
        },
        undefined,
      ],
    });
  });

  it('names Dataverse and the application user when createdonbehalfby is not the application user', async () => {
    const w = world({
      stamps: () => ({
        createdby: { id: JON, type: 'systemuser' },
        createdonbehalfby: { id: JON, type: 'systemuser' },
      }),
    });
    const write = await w.step('test-write');
    expect(write.error).toEqual({
      code: 'ONBOARDING_NOT_STAMPED',
      message: 'Dataverse did not record the application user as createdonbehalfby on the test record.',
      hint: 'Impersonation is not taking effect: check that CallerObjectId is honoured for this environment.',
    });
  });

  it('names Dataverse when createdby is not the user acted for', async () => {
    const w = world({
      stamps: () => ({
        createdby: { id: APP, type: 'systemuser' },
        createdonbehalfby: { id: APP, type: 'systemuser' },
      }),
    });
    const write = await w.step('test-write');
    expect(write.error).toMatchObject({
      code: 'ONBOARDING_NOT_STAMPED',
      message: 'Dataverse did not record the user acted for as createdby.',
    });
  });
});
