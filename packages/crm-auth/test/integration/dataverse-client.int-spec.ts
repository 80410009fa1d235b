import { DEMO_ENTRA, DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../src/dataverse/dataverse-client';
import { EntraTokenClient } from '../../src/dataverse/entra-token-client';
import { startTestEmulator, type EmulatorHarness } from '../helpers/emulator-harness';

let h: EmulatorHarness;
let dv: DataverseClient;
let token: string;

beforeAll(async () => {
  h = await startTestEmulator();
  dv = new DataverseClient({ environmentUrl: h.emulator.entra.environmentUrl, ca: [h.emulator.caCertPem] });
}, 60_000);

afterAll(async () => {
  await dv?.close();
  await h?.close();
});

beforeEach(async () => {
  await h.emulator.control.reset();
  const entra = new EntraTokenClient({
    authorityUrl: h.emulator.entra.authorityUrl,
    tenant: h.emulator.entra.tenantDomain,
    clientId: h.emulator.entra.clientId,
    certificate: h.demoBundle,
    ca: [h.emulator.caCertPem],
  });
  token = (await entra.acquireToken({ scope: `${h.emulator.entra.environmentUrl}/.default` })).accessToken;
  await entra.close();
});

describe('DataverseClient against the emulated Web API over HTTPS', { timeout: 30_000 }, () => {
  it('answers WhoAmI as the application user, and as Jon Wilson on his behalf', async () => {
    expect(await dv.whoAmI(token)).toEqual({
      userId: DEMO_IDS.dvAppUser,
      businessUnitId: DEMO_IDS.contosoDvBu,
      organizationId: DEMO_IDS.contosoDvOrg,
    });
    expect((await dv.whoAmI(token, { onBehalfOf: { entraObjectId: DEMO_ENTRA.jonObjectId } })).userId).toBe(
      DEMO_IDS.dvJonWilson,
    );
  });

  it('creates on behalf of Jon by Entra object id and by systemuserid; both read back createdby Jon, createdonbehalfby the app, with names', async () => {
    for (const onBehalfOf of [{ entraObjectId: DEMO_ENTRA.jonObjectId }, { userId: DEMO_IDS.dvJonWilson }]) {
      const id = await dv.create(
        token,
        { entitySet: 'accounts', attributes: { name: 'Tailspin' } },
        { onBehalfOf },
      );
      const record = await dv.retrieve(token, {
        entitySet: 'accounts',
        id,
        select: ['name', '_createdby_value', '_createdonbehalfby_value'],
      });
      expect(record).toMatchObject({
        name: 'Tailspin',
        _createdby_value: DEMO_IDS.dvJonWilson,
        '_createdby_value@OData.Community.Display.V1.FormattedValue': 'Jon Wilson',
        _createdonbehalfby_value: DEMO_IDS.dvAppUser,
      });
      await dv.delete(token, { entitySet: 'accounts', id });
      await expect(dv.retrieve(token, { entitySet: 'accounts', id })).rejects.toMatchObject({
        code: 'ERR_CRM_OBJECT_NOT_FOUND',
        faultCode: '0x80040217',
        httpStatus: 404,
      });
    }
  });

  it('turns the Web API refusals into the typed errors of CRM 4.0 faults', async () => {
    await expect(
      dv.create(
        token,
        { entitySet: 'accounts', attributes: { name: 'x' } },
        { onBehalfOf: { entraObjectId: DEMO_ENTRA.ritaObjectId } },
      ),
    ).rejects.toMatchObject({
      code: 'ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED',
      faultCode: '0x80040231',
      httpStatus: 403,
      notExecuted: true,
    });
    await expect(dv.whoAmI('not-a-token')).rejects.toMatchObject({
      code: 'ERR_CRM_EXPIRED_TICKET',
      httpStatus: 401,
    });
    h.emulator.control.updateUser(DEMO_IDS.dvAppUser, { proxyRole: false });
    await expect(
      dv.create(
        token,
        { entitySet: 'accounts', attributes: { name: 'x' } },
        { onBehalfOf: { entraObjectId: DEMO_ENTRA.jonObjectId } },
      ),
    ).rejects.toMatchObject({ code: 'ERR_CRM_PRIVILEGE_DENIED', faultCode: '0x8004A110', httpStatus: 403 });
  });

  it('refuses a non-GUID user acted for, and an entity set that is a path, before sending', async () => {
    await expect(dv.whoAmI(token, { onBehalfOf: { entraObjectId: 'jon' } })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'onBehalfOf.entraObjectId must be a GUID',
    });
    await expect(dv.create(token, { entitySet: 'accounts/../x', attributes: {} })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
  });
});
