/**
 * Value types shared by the message codecs. Plain data, JSON-safe except where a field is a `Date`.
 */

/** A CRM reference (Lookup, Owner, Customer): `<ownerid type="systemuser" name="Jon Wilson">{GUID}</ownerid>`. */
export interface Lookup {
  /** Lower-case GUID without braces. */
  id: string;
  /** Logical name of the referenced entity, e.g. `systemuser`. */
  type: string;
  /** Display name, when the server sent one. Ignored when building. */
  name?: string;
}

/** One attribute value of an entity: its text, or a reference when the element carries `type`. */
/**
 * An activity-party list (an email's `to`, an appointment's `requiredattendees`): one entry per
 * `activityparty`, each holding that party's attributes (`partyid` a Lookup, `addressused` text, …).
 */
export type ActivityPartyList = Array<Record<string, string | Lookup>>;

export type AttributeValue = string | Lookup | ActivityPartyList;

/** A CRM record as CrmService 2007 carries it: the logical name and one value per attribute element. */
export interface Entity {
  logicalName: string;
  attributes: Record<string, AttributeValue>;
}

/** One organization as the discovery service describes it. */
export interface OrganizationDetail {
  crmMetadataServiceUrl: string;
  crmServiceUrl: string;
  /** The display name an administrator types. */
  friendlyName: string;
  /** Lower-case GUID without braces. */
  organizationId: string;
  /** The unique name, used in every later call. */
  organizationName: string;
  webApplicationUrl: string;
}

/** The `CrmAuthenticationToken` SOAP header of every CrmService call. */
export interface CrmAuthenticationToken {
  /** 1 = Passport (CRM Online). */
  authenticationType: number;
  /** The per-org CRM ticket from RetrieveCrmTicket. Secret. */
  crmTicket: string;
  /** Unique name of the org the ticket is for. */
  organizationName: string;
  /** The systemuserid to impersonate; null or undefined sends all zeros (no impersonation). */
  callerId?: string | null;
}

/** SOAP envelope version. The services speak 1.1; the STS speaks 1.2. */
export type SoapVersion = '1.1' | '1.2';

/** Everything a transport needs to POST one SOAP message. */
export interface SoapRequest {
  /** The serialized envelope. May contain secrets (tickets): never log it. */
  xml: string;
  /** The SOAP action URI, unquoted. For 1.1 send it as the quoted `SOAPAction` header. */
  soapAction: string;
  /** The HTTP Content-Type: `text/xml; charset=utf-8` (1.1) or `application/soap+xml; charset=utf-8` (1.2). */
  contentType: string;
}

/** Options for every parser. */
export interface ParseOptions {
  /** Refuse input larger than this many UTF-8 bytes. Default 5 MiB. */
  maxBytes?: number;
}
