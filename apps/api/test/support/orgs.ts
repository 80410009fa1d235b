import type { RunningEmulator } from '@onbehalf/emulator';
import type { DataSource } from 'typeorm';
import { type ConsoleClient, demoCertificateUpload, json } from '../harness';

/** Jon Wilson in Contoso (demo seed). */
export const JON_PUID = '0003BFFD8F3A5B21';
/** Nora Nash, the ordinary user of the second healthy org this helper adds. */
export const NORA_PUID = '0003BFFDA1B2C3D4';
export const NORTHWIND = { name: 'northwind', friendlyName: 'Northwind Traders' } as const;

/** Uploads the emulator's demo certificate; returns its id. */
export async function uploadDemoCertificate(
  admin: ConsoleClient,
  emulator: RunningEmulator,
): Promise<string> {
  const res = await admin.post('/api/certificates', demoCertificateUpload(emulator));
  if (res.status !== 201) throw new Error(`demo certificate upload: ${res.status} ${await res.text()}`);
  return (await json<{ id: string }>(res)).id;
}

/** Onboards an org by friendly name through POST /api/orgs; throws unless it ends active. */
export async function onboard(
  admin: ConsoleClient,
  emulator: RunningEmulator,
  friendlyName: string,
  certificateId: string,
): Promise<string> {
  const res = await admin.post('/api/orgs', {
    discoveryUrl: emulator.discoveryUrl,
    friendlyName,
    certificateId,
  });
  const body = await json<{ org: { id: string; status: string }; run: unknown }>(res);
  if (res.status !== 201 || body.org.status !== 'active')
    throw new Error(`onboarding ${friendlyName}: ${res.status} ${JSON.stringify(body)}`);
  return body.org.id;
}

/** The demo service account (ERP_Integration, the demo certificate's Live account) as a proxy-role user of `org`. */
export function addServiceAccount(emulator: RunningEmulator, org: string): void {
  emulator.control.addUser({
    org,
    liveId: emulator.demo.serviceAccountLiveId,
    firstName: 'ERP',
    lastName: 'Integration',
    fullName: 'ERP_Integration',
    domainName: 'ERP_Integration',
    proxyRole: true,
    isServiceAccount: true,
  });
}

/**
 * A second healthy org at the emulator: its own org, the service account as a user holding the
 * proxy role (same Live account, so the same certificate gets its tickets), and one ordinary user.
 */
export function addNorthwind(emulator: RunningEmulator): void {
  const c = emulator.control;
  c.addOrg({ name: NORTHWIND.name, friendlyName: NORTHWIND.friendlyName });
  addServiceAccount(emulator, NORTHWIND.name);
  c.addUser({
    org: NORTHWIND.name,
    liveId: 'nora.nash@northwind.example',
    firstName: 'Nora',
    lastName: 'Nash',
    puid: NORA_PUID,
  });
}

/** Contoso and Northwind onboarded with the demo certificate. */
export async function twoOrgs(
  admin: ConsoleClient,
  emulator: RunningEmulator,
): Promise<{ certId: string; contosoId: string; northwindId: string }> {
  addNorthwind(emulator);
  const certId = await uploadDemoCertificate(admin, emulator);
  const contosoId = await onboard(admin, emulator, 'Contoso Ltd', certId);
  const northwindId = await onboard(admin, emulator, NORTHWIND.friendlyName, certId);
  return { certId, contosoId, northwindId };
}

export interface LedgerRow {
  id: string;
  operation: string;
  entity: string | null;
  record_id: string | null;
  outcome: 'pending' | 'completed' | 'failed';
  error_code: string | null;
  request_id: string | null;
}

export async function ledger(ds: DataSource, orgId: string): Promise<LedgerRow[]> {
  return (await ds.query(
    `SELECT id, operation, entity, record_id, outcome, error_code, request_id FROM crm_calls WHERE org_id = $1 ORDER BY at`,
    [orgId],
  )) as LedgerRow[];
}

/** The emulator's record ids of one entity, lower case. */
export function recordIds(emulator: RunningEmulator, org: string, entity: string): string[] {
  return emulator.control.records({ org, entity }).map((r) => r.id.toLowerCase());
}

/** A value of a record attribute as text (lookups by id). */
export function recordNames(emulator: RunningEmulator, org: string, entity: string): string[] {
  return emulator.control.records({ org, entity }).map((r) => String(r.attributes.name ?? ''));
}
