import type { AttributeValue, Entity, OrgRecordRead } from '@onbehalf/crm-auth';

/**
 * A record read through an OrgSession in CRM 4.0's shape, which the records API answers and reconciliation reads:
 * numbers and yes/no as text (CRM 4.0 sends every value as text), lookups as they are, with their names.
 */
export function asCrmRecord(r: OrgRecordRead): Entity {
  const attributes: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(r.fields)) attributes[k] = typeof v === 'object' ? v : String(v);
  return { logicalName: r.entity, attributes };
}
