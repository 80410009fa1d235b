import { DEMO_ENTRA } from '../entra/entra-directory';
import type { EntityRecord, PersistedState, Right, StoredAttr, UserState } from './emulator-state.model';

/** Ids of the demo seed; the Contoso ids are the ones the shared fixtures use. */
export const DEMO_IDS = {
  contosoOrg: '9d3a5e6b-1c2f-4b8a-a7e4-3f6c2d1b0a99',
  contosoBu: '2f8e1d4c-6a3b-4c7d-9e0f-1a2b3c4d5e6f',
  fabrikamOrg: '4b1f0c2e-7d8a-4e6f-9a3b-5c2d8e7f1a40',
  fabrikamBu: '6a2c4e8f-0b1d-4f3a-8c5e-7d9f1b3a5c70',
  erpInContoso: '5b2e7c1a-9f34-4d6e-8b01-2a7c3e9d4f60',
  erpInFabrikam: 'b3d5f7a9-1c2e-4a4b-8d6f-0e2a4c6e8a10',
  jonWilson: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c',
  readOnlyUser: '7e1d2c3b-4a59-4687-9b0c-1d2e3f4a5b6c',
  disabledUser: 'a4c8e2f0-6b1d-4e3f-9a5c-7b9d1f3e5a20',
  noCreateAccountUser: 'd9e1f3a5-7b2c-4d4e-8f6a-0c2e4a6c8e30',
  frankMiller: 'e2f4a6c8-0d1e-4f5a-9b7c-3d5f7a9c1e40',
  fourthCoffee: '8a6b3c2d-1e0f-4a5b-9c8d-7e6f5a4b3c2d',
  adventureWorks: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
  blueYonder: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f',
  contact: '6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f',
  lead: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
  fabrikamAccount: '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
  // Contoso (Dataverse): the environment of the identity-platform demo (entra/entra-directory.ts DEMO_ENTRA).
  contosoDvOrg: '1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5c',
  contosoDvBu: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6e',
  dvAppUser: '3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6f',
  dvJonWilson: '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e80',
  dvRitaReed: '5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e7f91',
} as const;

/** The service account's Live identity. */
export const SERVICE_ACCOUNT = {
  liveId: 'erp_integration@contoso-isv.example',
  puid: '0003BFFD1C2E9A77',
  domainName: 'ERP_Integration',
} as const;

const FULL: Right[] = ['read', 'create', 'write', 'delete'];
const READ: Right[] = ['read'];
const CRM_RIGHTS: Record<string, Right[]> = { account: FULL, contact: FULL, lead: FULL, '*': READ };

function user(partial: Omit<UserState, 'enabled' | 'proxyRole' | 'rights'> & Partial<UserState>): UserState {
  return { enabled: true, proxyRole: false, rights: CRM_RIGHTS, ...partial };
}

function ref(type: string, id: string, name: string): StoredAttr {
  return { t: 'ref', type, id, name };
}

function stamped(
  pk: string,
  id: string,
  attrs: Record<string, StoredAttr>,
  by: { id: string; name: string },
  onBehalf: { id: string; name: string } | undefined,
  at: string,
): EntityRecord {
  const when: StoredAttr = { t: 'date', v: Date.parse(at) };
  const out: Record<string, StoredAttr> = { [pk]: { t: 's', v: id }, ...attrs };
  out['createdby'] = ref('systemuser', by.id, by.name);
  out['createdon'] = when;
  if (onBehalf) out['createdonbehalfby'] = ref('systemuser', onBehalf.id, onBehalf.name);
  out['modifiedby'] = ref('systemuser', by.id, by.name);
  out['modifiedon'] = when;
  if (onBehalf) out['modifiedonbehalfby'] = ref('systemuser', onBehalf.id, onBehalf.name);
  out['ownerid'] = ref('systemuser', by.id, by.name);
  return { id, attrs: out };
}

/**
 * The demo seed, loaded on first start: Contoso (the service account holds the proxy role there),
 * Fabrikam (it does not), users named for what they show, and a few records stamped as CRM would.
 */
export function demoSeed(demoCert: {
  thumbprint: string;
  serialHex: string;
  notAfter: string;
}): PersistedState {
  const jon = { id: DEMO_IDS.jonWilson, name: 'Jon Wilson' };
  const erp = { id: DEMO_IDS.erpInContoso, name: 'ERP_Integration' };
  const erpFab = { id: DEMO_IDS.erpInFabrikam, name: 'ERP_Integration' };
  const frank = { id: DEMO_IDS.frankMiller, name: 'Frank Miller' };
  return {
    version: 1,
    orgs: [
      {
        id: DEMO_IDS.contosoOrg,
        name: 'contoso',
        friendlyName: 'Contoso Ltd',
        enabled: true,
        businessUnitId: DEMO_IDS.contosoBu,
        businessUnitName: 'Contoso Ltd',
        utcOffsetMinutes: -480,
      },
      {
        id: DEMO_IDS.fabrikamOrg,
        name: 'fabrikam',
        friendlyName: 'Fabrikam Inc',
        enabled: true,
        businessUnitId: DEMO_IDS.fabrikamBu,
        businessUnitName: 'Fabrikam Inc',
        utcOffsetMinutes: 60,
      },
      {
        id: DEMO_IDS.contosoDvOrg,
        name: DEMO_ENTRA.environmentOrg,
        friendlyName: 'Contoso (Dataverse)',
        enabled: true,
        businessUnitId: DEMO_IDS.contosoDvBu,
        businessUnitName: 'Contoso',
        utcOffsetMinutes: 0,
      },
    ],
    liveAccounts: [
      {
        liveId: SERVICE_ACCOUNT.liveId,
        puid: SERVICE_ACCOUNT.puid,
        firstName: 'ERP',
        lastName: 'Integration',
      },
      { liveId: 'jonw@contoso.example', puid: '0003BFFD8F3A5B21', firstName: 'Jon', lastName: 'Wilson' },
      { liveId: 'rita.reed@contoso.example', puid: '0003BFFD2A7C4E10', firstName: 'Rita', lastName: 'Reed' },
      {
        liveId: 'dana.dorsey@contoso.example',
        puid: '0003BFFD6E9B0C32',
        firstName: 'Dana',
        lastName: 'Dorsey',
      },
      { liveId: 'noah.park@contoso.example', puid: '0003BFFD4D1F8A54', firstName: 'Noah', lastName: 'Park' },
      { liveId: 'frankm@fabrikam.example', puid: '00037FFE3B5D7F96', firstName: 'Frank', lastName: 'Miller' },
    ],
    users: [
      user({
        id: DEMO_IDS.erpInContoso,
        org: 'contoso',
        fullName: 'ERP_Integration',
        firstName: 'ERP',
        lastName: 'Integration',
        domainName: SERVICE_ACCOUNT.domainName,
        liveId: SERVICE_ACCOUNT.liveId,
        proxyRole: true,
        isServiceAccount: true,
        note: 'service account with the proxy role',
      }),
      user({
        id: DEMO_IDS.jonWilson,
        org: 'contoso',
        fullName: 'Jon Wilson',
        firstName: 'Jon',
        lastName: 'Wilson',
        domainName: 'JonW',
        liveId: 'jonw@contoso.example',
        note: 'ordinary user with full rights',
      }),
      user({
        id: DEMO_IDS.readOnlyUser,
        org: 'contoso',
        fullName: 'Rita Reed',
        firstName: 'Rita',
        lastName: 'Reed',
        domainName: 'RitaR',
        liveId: 'rita.reed@contoso.example',
        rights: { '*': READ },
        note: 'read-only: can read, cannot create',
      }),
      user({
        id: DEMO_IDS.disabledUser,
        org: 'contoso',
        fullName: 'Dana Dorsey',
        firstName: 'Dana',
        lastName: 'Dorsey',
        domainName: 'DanaD',
        liveId: 'dana.dorsey@contoso.example',
        enabled: false,
        note: 'disabled user',
      }),
      user({
        id: DEMO_IDS.noCreateAccountUser,
        org: 'contoso',
        fullName: 'Noah Park',
        firstName: 'Noah',
        lastName: 'Park',
        domainName: 'NoahP',
        liveId: 'noah.park@contoso.example',
        rights: { account: ['read', 'write'], contact: FULL, lead: FULL, '*': READ },
        note: 'no right to create accounts',
      }),
      user({
        id: DEMO_IDS.erpInFabrikam,
        org: 'fabrikam',
        fullName: 'ERP_Integration',
        firstName: 'ERP',
        lastName: 'Integration',
        domainName: SERVICE_ACCOUNT.domainName,
        liveId: SERVICE_ACCOUNT.liveId,
        proxyRole: false,
        isServiceAccount: true,
        note: 'service account without the proxy role',
      }),
      user({
        id: DEMO_IDS.frankMiller,
        org: 'fabrikam',
        fullName: 'Frank Miller',
        firstName: 'Frank',
        lastName: 'Miller',
        domainName: 'FrankM',
        liveId: 'frankm@fabrikam.example',
        note: 'ordinary user with full rights',
      }),
      // Contoso (Dataverse): users of the environment, named by their Entra object ids; no Live ID signs in there.
      user({
        id: DEMO_IDS.dvAppUser,
        org: DEMO_ENTRA.environmentOrg,
        fullName: DEMO_ENTRA.appName,
        firstName: '',
        lastName: DEMO_ENTRA.appName,
        domainName: `app@${DEMO_ENTRA.tenantDomain}`,
        liveId: `app-${DEMO_ENTRA.clientId}@dataverse.invalid`,
        proxyRole: true,
        isServiceAccount: true,
        entraObjectId: DEMO_ENTRA.appObjectId,
        applicationId: DEMO_ENTRA.clientId,
        note: 'application user of the ISV app, with the Delegate role (prvActOnBehalfOfAnotherUser)',
      }),
      user({
        id: DEMO_IDS.dvJonWilson,
        org: DEMO_ENTRA.environmentOrg,
        fullName: 'Jon Wilson',
        firstName: 'Jon',
        lastName: 'Wilson',
        domainName: `jonw@${DEMO_ENTRA.tenantDomain}`,
        liveId: `jonw@${DEMO_ENTRA.tenantDomain}`,
        entraObjectId: DEMO_ENTRA.jonObjectId,
        note: 'ordinary user with full rights',
      }),
      user({
        id: DEMO_IDS.dvRitaReed,
        org: DEMO_ENTRA.environmentOrg,
        fullName: 'Rita Reed',
        firstName: 'Rita',
        lastName: 'Reed',
        domainName: `rita.reed@${DEMO_ENTRA.tenantDomain}`,
        liveId: `rita.reed@${DEMO_ENTRA.tenantDomain}`,
        entraObjectId: DEMO_ENTRA.ritaObjectId,
        rights: { '*': READ },
        note: 'read-only: can read, cannot create',
      }),
    ],
    records: {
      contoso: {
        account: [
          stamped(
            'accountid',
            DEMO_IDS.fourthCoffee,
            { name: { t: 's', v: 'Fourth Coffee' }, accountnumber: { t: 's', v: 'FC-20011' } },
            jon,
            erp,
            '2026-11-23T14:02:11Z',
          ),
          stamped(
            'accountid',
            DEMO_IDS.adventureWorks,
            { name: { t: 's', v: 'Adventure Works' }, accountnumber: { t: 's', v: 'AW-10077' } },
            erp,
            undefined,
            '2026-11-23T00:45:30Z',
          ),
          stamped(
            'accountid',
            DEMO_IDS.blueYonder,
            { name: { t: 's', v: 'Blue Yonder Airlines' }, accountnumber: { t: 's', v: 'BY-30512' } },
            jon,
            undefined,
            '2026-11-21T17:30:00Z',
          ),
        ],
        contact: [
          stamped(
            'contactid',
            DEMO_IDS.contact,
            {
              firstname: { t: 's', v: 'Nancy' },
              lastname: { t: 's', v: 'Anderson' },
              fullname: { t: 's', v: 'Nancy Anderson' },
              emailaddress1: { t: 's', v: 'nancy@fourthcoffee.example' },
              parentcustomerid: ref('account', DEMO_IDS.fourthCoffee, 'Fourth Coffee'),
            },
            jon,
            erp,
            '2026-11-23T15:10:00Z',
          ),
        ],
        lead: [
          stamped(
            'leadid',
            DEMO_IDS.lead,
            {
              subject: { t: 's', v: 'Espresso machines for 40 stores' },
              firstname: { t: 's', v: 'Lisa' },
              lastname: { t: 's', v: 'Andrews' },
              fullname: { t: 's', v: 'Lisa Andrews' },
              companyname: { t: 's', v: 'Northwind Traders' },
            },
            erp,
            undefined,
            '2026-11-22T18:20:00Z',
          ),
        ],
      },
      fabrikam: {
        account: [
          stamped(
            'accountid',
            DEMO_IDS.fabrikamAccount,
            { name: { t: 's', v: 'Wide World Importers' } },
            frank,
            erpFab,
            '2026-11-20T09:00:00Z',
          ),
        ],
      },
    },
    certs: [
      {
        thumbprint: demoCert.thumbprint,
        serialHex: demoCert.serialHex,
        issuerCa: 'intermediate',
        commonName: 'ERP_Integration',
        account: SERVICE_ACCOUNT.liveId,
        notAfter: demoCert.notAfter,
      },
    ],
    scenarios: [],
    ticketCutoffs: {},
    crl: { number: 1, nextUpdate: 0 },
  };
}

/** An empty state for `seed: 'none'`: the demo certificate is still known, but to no account. */
export function emptySeed(demoCert: {
  thumbprint: string;
  serialHex: string;
  notAfter: string;
}): PersistedState {
  return {
    version: 1,
    orgs: [],
    liveAccounts: [],
    users: [],
    records: {},
    certs: [
      {
        thumbprint: demoCert.thumbprint,
        serialHex: demoCert.serialHex,
        issuerCa: 'intermediate',
        commonName: 'ERP_Integration',
        notAfter: demoCert.notAfter,
      },
    ],
    scenarios: [],
    ticketCutoffs: {},
    crl: { number: 1, nextUpdate: 0 },
  };
}
