import type { CallOptions } from '../clients/round-trip';
import type { WhoAmIResult } from '../clients/crm-service-client';
import type { Lookup } from '../messages/types';

/** The platform an org runs on: CRM 4.0 Online (Windows Live ID, SOAP) or Dataverse (Entra ID, Web API). */
export type Platform = 'crm4' | 'dataverse';

/**
 * Who one call acts for. A Windows Live user by PUID (CRM 4.0 only: the session maps it to a systemuserid),
 * a systemuserid (both platforms), or an Entra object id (Dataverse only: sent as `CallerObjectId`).
 */
export type OnBehalfOf = { puid: string } | { userId: string } | { entraObjectId: string };

/** Per-call options of an {@link OrgSession}. Without `onBehalfOf` the call runs as the service account. */
export interface OrgCallOptions extends CallOptions {
  onBehalfOf?: OnBehalfOf;
}

/**
 * A column's value as both platforms carry it: text, a number, yes/no, or a reference to another record
 * (`{id, type}` with the referenced table's logical name; `name` is read back, ignored when writing).
 */
export type FieldValue = string | number | boolean | Lookup;

/** A record in a platform-neutral shape: the table's logical name (`account`) and its columns. */
export interface OrgRecord {
  entity: string;
  fields: Record<string, FieldValue>;
}

/** A record read back: its columns, the stamps among them (`createdby`, `createdonbehalfby`, …) as lookups. */
export interface OrgRecordRead extends OrgRecord {
  id: string;
}

/**
 * One customer org, whichever platform it runs on: the calls the API makes on behalf of users, each with its
 * credential (CRM ticket or access token) cached, refreshed ahead of expiry and refreshed once on rejection.
 * Implemented by {@link CrmSession} (CRM 4.0) and {@link DataverseSession} (Dataverse).
 *
 * A call whose `onBehalfOf` the platform cannot honour (an Entra object id on CRM 4.0, a PUID on Dataverse) is
 * refused before anything is sent, with ERR_INVALID_OPTIONS.
 */
export interface OrgSession {
  readonly platform: Platform;
  /** Who the credential authenticates (the service account or application user) and its org. */
  whoAmI(options?: OrgCallOptions): Promise<WhoAmIResult>;
  /** Creates a record; never re-sent unless the failure proves it did not run. Its id. */
  createRecord(record: OrgRecord, options?: OrgCallOptions): Promise<{ id: string }>;
  /** Reads one record's columns (at least one). */
  retrieveRecord(
    args: { entity: string; id: string; columns: string[] },
    options?: OrgCallOptions,
  ): Promise<OrgRecordRead>;
  /** Updates the given columns of one record. */
  updateRecord(record: OrgRecord & { id: string }, options?: OrgCallOptions): Promise<void>;
  /** Deletes one record. */
  deleteRecord(args: { entity: string; id: string }, options?: OrgCallOptions): Promise<void>;
  /** Gets a new credential now, whatever the cached one. */
  refresh(options?: CallOptions): Promise<void>;
  close(): Promise<void>;
}
