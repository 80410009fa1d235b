/** What the emulator knows about an entity. */
export interface EntityMetadata {
  primaryKey: string;
  primaryName: string;
  /** False for entities derived from the emulator's own state (systemuser, businessunit). */
  writable: boolean;
}

/** Entities the CrmService supports; stamping applies to every writable one. */
export const ENTITY_METADATA: Record<string, EntityMetadata> = {
  account: { primaryKey: 'accountid', primaryName: 'name', writable: true },
  contact: { primaryKey: 'contactid', primaryName: 'fullname', writable: true },
  lead: { primaryKey: 'leadid', primaryName: 'fullname', writable: true },
  opportunity: { primaryKey: 'opportunityid', primaryName: 'name', writable: true },
  systemuser: { primaryKey: 'systemuserid', primaryName: 'fullname', writable: false },
  businessunit: { primaryKey: 'businessunitid', primaryName: 'name', writable: false },
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
