import type { Lookup } from '../messages/types';
import { toGuid } from '../messages/values';
import { checkRecord, logicalName } from '../session/org-records';
import type { FieldValue, OrgRecord, OrgRecordRead } from '../session/org-session';

/**
 * Entity set names that do not follow the plain plural rule below. In Dataverse a table's set name is its
 * metadata's `EntitySetName`; for the standard tables it is the logical name's English plural
 * (docs/protocol.md §13.2).
 */
const ENTITY_SETS: Readonly<Record<string, string>> = {
  opportunity: 'opportunities',
  activityparty: 'activityparties',
  businessunit: 'businessunits',
};

/** The Web API's entity set of a table: `account` → `accounts`, `opportunity` → `opportunities`. */
export function entitySetOf(entity: string): string {
  const name = logicalName(entity, 'entity');
  // Own keys only: `constructor` is a logical name too, and must not find Object.prototype's function.
  if (Object.hasOwn(ENTITY_SETS, name)) return ENTITY_SETS[name]!;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

/**
 * Lookup columns of the standard tables: the Web API names them `_<column>_value` in `$select` and in
 * replies (§13.2). A caller may also name any other lookup that way.
 */
const LOOKUP_COLUMNS = new Set([
  'createdby',
  'createdonbehalfby',
  'modifiedby',
  'modifiedonbehalfby',
  'ownerid',
  'owninguser',
  'owningteam',
  'owningbusinessunit',
  'businessunitid',
  'parentaccountid',
  'parentcustomerid',
  'primarycontactid',
  'transactioncurrencyid',
]);

/** A column as `$select` names it. */
export function selectName(column: string): string {
  if (typeof column === 'string' && /^_[a-z][a-z0-9_]*_value$/.test(column)) return column;
  const c = logicalName(column, 'a column');
  return LOOKUP_COLUMNS.has(c) ? `_${c}_value` : c;
}

/**
 * A record to write as the Web API's JSON body: values as they are, a reference as
 * `<column>@odata.bind: "/<set>(<id>)"` (the column's navigation property; for the standard single-table
 * lookups it has the column's name).
 */
export function toWebApiBody(record: OrgRecord): { entitySet: string; body: Record<string, unknown> } {
  const { entity, fields } = checkRecord(record);
  const body: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(fields)) {
    if (typeof value === 'object') body[`${column}@odata.bind`] = `/${entitySetOf(value.type)}(${value.id})`;
    else body[column] = value;
  }
  return { entitySet: entitySetOf(entity), body };
}

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP_TYPE = '@Microsoft.Dynamics.CRM.lookuplogicalname';

/**
 * A record the Web API read back, as the neutral shape: the asked columns only; `_<c>_value` becomes the
 * lookup `c` (its table from the lookup-logical-name annotation, its name from the formatted value); a null
 * column is left out, as CRM 4.0 leaves out an empty one.
 */
export function fromWebApiRecord(
  entity: string,
  id: string,
  body: Record<string, unknown>,
  columns: string[],
): OrgRecordRead {
  const fields: Record<string, FieldValue> = {};
  for (const column of columns) {
    const lookupKey = `_${column.replace(/^_(.*)_value$/, '$1')}_value`;
    const name = column.replace(/^_(.*)_value$/, '$1');
    const ref = body[lookupKey];
    if (typeof ref === 'string') {
      const refId = toGuid(ref);
      const type = body[`${lookupKey}${LOOKUP_TYPE}`];
      const display = body[`${lookupKey}${FORMATTED}`];
      if (refId !== undefined && typeof type === 'string') {
        const lookup: Lookup = { id: refId, type, ...(typeof display === 'string' ? { name: display } : {}) };
        fields[name] = lookup;
      }
      continue;
    }
    const v = body[column];
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
      fields[column] = v;
  }
  return { entity, id, fields };
}
