/**
 * The entities the emulator serves and their attributes: the one source for the CrmService
 * handlers (an attribute not listed here is refused as CRM refuses it) and for the WSDL's entity
 * types (src/wsdl/crm-service.wsdl.ts). Names are CRM 4.0 logical names, lower case and
 * case-sensitive (docs/protocol.md §5.3).
 */

/** CRM property types the emulator's attributes use (docs/protocol.md §5.3); String covers Memo. */
export type AttributeType = 'Key' | 'String' | 'Lookup' | 'Customer' | 'Owner' | 'CrmDateTime' | 'CrmBoolean';

/** One attribute: logical name and property type. */
export type AttributeDef = readonly [name: string, type: AttributeType];

/** What the emulator knows about an entity. */
export interface EntityMetadata {
  primaryKey: string;
  primaryName: string;
  /** False for entities derived from the emulator's own state (systemuser, businessunit). */
  writable: boolean;
  /** Every attribute, in the order the WSDL declares them. */
  attributes: readonly AttributeDef[];
  /** The attribute names, for lookups. */
  attributeNames: ReadonlySet<string>;
}

/** The postal address CRM gives accounts, contacts and leads (`address1_*`). */
const ADDRESS1: readonly AttributeDef[] = [
  ['address1_line1', 'String'],
  ['address1_line2', 'String'],
  ['address1_city', 'String'],
  ['address1_stateorprovince', 'String'],
  ['address1_postalcode', 'String'],
  ['address1_country', 'String'],
];

/** Audit stamps every entity has (docs/protocol.md §10.2). */
const STAMPS: readonly AttributeDef[] = [
  ['createdby', 'Lookup'],
  ['createdon', 'CrmDateTime'],
  ['createdonbehalfby', 'Lookup'],
  ['modifiedby', 'Lookup'],
  ['modifiedon', 'CrmDateTime'],
  ['modifiedonbehalfby', 'Lookup'],
];

/** User-owned entities also have an owner. */
const OWNED: readonly AttributeDef[] = [...STAMPS, ['ownerid', 'Owner']];

function entity(
  primaryKey: string,
  primaryName: string,
  writable: boolean,
  attributes: readonly AttributeDef[],
): EntityMetadata {
  const all: AttributeDef[] = [[primaryKey, 'Key'], ...attributes];
  return {
    primaryKey,
    primaryName,
    writable,
    attributes: all,
    attributeNames: new Set(all.map(([name]) => name)),
  };
}

/** Entities the CrmService supports; stamping applies to every writable one. */
export const ENTITY_METADATA: Readonly<Record<string, EntityMetadata>> = {
  account: entity('accountid', 'name', true, [
    ['accountnumber', 'String'],
    ['name', 'String'],
    ['description', 'String'],
    ['telephone1', 'String'],
    ['telephone2', 'String'],
    ['fax', 'String'],
    ['emailaddress1', 'String'],
    ['websiteurl', 'String'],
    ...ADDRESS1,
    ['parentaccountid', 'Lookup'],
    ['primarycontactid', 'Lookup'],
    ...OWNED,
  ]),
  contact: entity('contactid', 'fullname', true, [
    ['firstname', 'String'],
    ['lastname', 'String'],
    ['fullname', 'String'],
    ['jobtitle', 'String'],
    ['emailaddress1', 'String'],
    ['telephone1', 'String'],
    ['mobilephone', 'String'],
    ['description', 'String'],
    ...ADDRESS1,
    ['parentcustomerid', 'Customer'],
    ...OWNED,
  ]),
  lead: entity('leadid', 'fullname', true, [
    ['subject', 'String'],
    ['firstname', 'String'],
    ['lastname', 'String'],
    ['fullname', 'String'],
    ['companyname', 'String'],
    ['jobtitle', 'String'],
    ['emailaddress1', 'String'],
    ['telephone1', 'String'],
    ['description', 'String'],
    ...ADDRESS1,
    ...OWNED,
  ]),
  opportunity: entity('opportunityid', 'name', true, [
    ['name', 'String'],
    ['description', 'String'],
    ['customerid', 'Customer'],
    ...OWNED,
  ]),
  systemuser: entity('systemuserid', 'fullname', false, [
    ['fullname', 'String'],
    ['firstname', 'String'],
    ['lastname', 'String'],
    ['domainname', 'String'],
    ['windowsliveid', 'String'],
    ['isdisabled', 'CrmBoolean'],
    ['businessunitid', 'Lookup'],
    ...STAMPS,
  ]),
  businessunit: entity('businessunitid', 'name', false, [['name', 'String'], ...STAMPS]),
};

/** Attributes CRM sets itself; values sent for them on Create or Update are ignored. */
export const SYSTEM_ATTRIBUTES = new Set([
  'createdby',
  'createdon',
  'createdonbehalfby',
  'modifiedby',
  'modifiedon',
  'modifiedonbehalfby',
]);
