import type { Entity, Lookup } from '../messages/types';
import { toGuid } from '../messages/values';
import { invalidOptions } from '../option-checks';
import type { FieldValue, OnBehalfOf, OrgRecord, OrgRecordRead, Platform } from './org-session';

const LOGICAL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** A table's or column's logical name (lower case letters, digits, `_`), or ERR_INVALID_OPTIONS naming `what`. */
export function logicalName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !LOGICAL_NAME.test(value))
    throw invalidOptions(`${what} must be a logical name (lower case letters, digits, _)`);
  return value;
}

/** A lookup's `{id, type}`, the id as a lower-case GUID without braces. */
export function checkLookup(value: Lookup, column: string): Lookup {
  const id = typeof value.id === 'string' ? toGuid(value.id) : undefined;
  if (id === undefined) throw invalidOptions(`${column}: a reference needs a GUID id`);
  return { id, type: logicalName(value.type, `${column}: the reference's type`) };
}

/** Checks a record to write: its table and each column's name and value. */
export function checkRecord(record: OrgRecord): OrgRecord {
  if (typeof record !== 'object' || record === null) throw invalidOptions('the record must be an object');
  const entity = logicalName(record.entity, 'entity');
  if (typeof record.fields !== 'object' || record.fields === null || Array.isArray(record.fields))
    throw invalidOptions('fields must be an object of column → value');
  const fields: Record<string, FieldValue> = {};
  for (const [column, value] of Object.entries(record.fields)) {
    logicalName(column, 'a column name');
    if (typeof value === 'string' || typeof value === 'boolean') fields[column] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) fields[column] = value;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value))
      fields[column] = checkLookup(value, column);
    else
      throw invalidOptions(`${column} must be text, a finite number, true/false or a reference {id, type}`);
  }
  return { entity, fields };
}

/**
 * The platform's own form of `onBehalfOf`, or ERR_INVALID_OPTIONS before anything is sent: a PUID means a
 * Windows Live user (CRM 4.0 only), an Entra object id an Entra user (Dataverse only).
 */
export function checkOnBehalfOf(
  platform: Platform,
  onBehalfOf: OnBehalfOf | undefined,
): OnBehalfOf | undefined {
  if (onBehalfOf === undefined) return undefined;
  if (typeof onBehalfOf !== 'object' || onBehalfOf === null)
    throw invalidOptions('onBehalfOf must be { puid }, { userId } or { entraObjectId }');
  const keys = Object.keys(onBehalfOf);
  if (keys.length !== 1 || !['puid', 'userId', 'entraObjectId'].includes(keys[0]!))
    throw invalidOptions('onBehalfOf must be exactly one of { puid }, { userId } or { entraObjectId }');
  if (platform === 'crm4' && 'entraObjectId' in onBehalfOf)
    throw invalidOptions('CRM 4.0 has no Entra object ids: act on behalf of a { puid } or a { userId }');
  if (platform === 'dataverse' && 'puid' in onBehalfOf)
    throw invalidOptions(
      'Dataverse has no Windows Live PUIDs: act on behalf of an { entraObjectId } or a { userId }',
    );
  return onBehalfOf;
}

/** A record to write as CrmService 2007 carries it: numbers and yes/no as their text, references as lookups. */
export function toCrmEntity(record: OrgRecord): Entity {
  const { entity, fields } = checkRecord(record);
  const attributes: Entity['attributes'] = {};
  // String(true) is 'true' and String(false) 'false', the text CRM 4.0 reads as yes/no.
  for (const [column, value] of Object.entries(fields))
    attributes[column] = typeof value === 'object' ? value : String(value);
  return { logicalName: entity, attributes };
}

/**
 * A CrmService 2007 record read back: text stays text (CRM 4.0 sends every value as text) and lookups stay
 * lookups. Activity-party lists have no neutral form and are left out.
 */
export function fromCrmEntity(entity: Entity, id: string): OrgRecordRead {
  const fields: Record<string, FieldValue> = {};
  for (const [column, value] of Object.entries(entity.attributes))
    if (!Array.isArray(value)) fields[column] = value;
  return { entity: entity.logicalName, id, fields };
}
