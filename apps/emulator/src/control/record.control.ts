import { ControlInputError } from '../scenarios/scenario.engine';
import type { EntityRecord, OrgState, StoredAttr } from '../state/emulator-state.model';
import { isGuid, normalizeGuid, type StateStore } from '../state/state.store';
import { ControlNotFoundError, orgOrThrow as requireOrg, str } from './control-input';
import { STAMP_FIELDS, type EmulatorControl, type RecordRef, type RecordView } from './control-types';

function viewAttr(value: StoredAttr): RecordView['attributes'][string] {
  switch (value.t) {
    case 's':
      return value.v;
    case 'ref':
      return value.name === undefined
        ? { id: value.id, type: value.type }
        : { id: value.id, type: value.type, name: value.name };
    case 'date':
      return new Date(value.v).toISOString();
    case 'bool':
      return value.v;
  }
}

function viewRecord(entity: string, record: EntityRecord): RecordView {
  const attributes: RecordView['attributes'] = {};
  for (const [name, value] of Object.entries(record.attrs)) attributes[name] = viewAttr(value);
  return { entity, id: record.id, attributes };
}

/** The control of CRM records: reading them, and changing them behind any client's back. */
export function recordControl(
  store: StateStore,
): Pick<EmulatorControl, 'records' | 'stampRecord' | 'deleteRecord'> {
  const orgOrThrow = (name: string): OrgState => requireOrg(store, name);

  /** The record and its table, without creating an empty table for a wrong name. */
  const recordOrThrow = (
    ref: RecordRef,
  ): { org: OrgState; entity: string; table: Map<string, EntityRecord>; record: EntityRecord } => {
    const org = orgOrThrow(str(ref.org, 'org', true));
    const entity = str(ref.entity, 'entity', true).toLowerCase();
    const id = str(ref.id, 'id', true);
    if (!isGuid(id)) throw new ControlInputError('id must be a GUID');
    const table = store.records.get(org.name)?.get(entity);
    const record = table?.get(normalizeGuid(id));
    if (!table || !record) throw new ControlNotFoundError(`No ${entity} ${normalizeGuid(id)} in ${org.name}`);
    return { org, entity, table, record };
  };

  return {
    records(query) {
      const org = orgOrThrow(query.org);
      const byEntity = store.records.get(org.name);
      const out: RecordView[] = [];
      if (!byEntity) return out;
      for (const [entity, table] of byEntity) {
        if (query.entity && query.entity.toLowerCase() !== entity) continue;
        for (const record of table.values()) out.push(viewRecord(entity, record));
      }
      return out;
    },

    stampRecord(ref, stamps) {
      const { org, entity, record } = recordOrThrow(ref);
      if (typeof stamps !== 'object' || stamps === null || Array.isArray(stamps))
        throw new ControlInputError('stamps must be an object');
      const unknown = Object.keys(stamps).filter((k) => !(STAMP_FIELDS as readonly string[]).includes(k));
      if (unknown.length)
        throw new ControlInputError(`Unknown stamp ${unknown[0]}; known: ${STAMP_FIELDS.join(', ')}`);
      const next: Array<[string, StoredAttr | null]> = [];
      for (const field of STAMP_FIELDS) {
        const value = stamps[field];
        if (value === undefined) continue;
        if (value === null) {
          next.push([field, null]);
          continue;
        }
        const userId = str(value, field, true);
        const user = isGuid(userId) ? store.user(userId) : undefined;
        if (!user || user.org !== org.name)
          throw new ControlInputError(`${field} must be the systemuserid of a user of ${org.name}`);
        next.push([field, { t: 'ref', type: 'systemuser', id: user.id, name: user.fullName }]);
      }
      for (const [field, value] of next) {
        if (value === null) delete record.attrs[field];
        else record.attrs[field] = value;
      }
      record.attrs['modifiedon'] = { t: 'date', v: Date.now() };
      store.changed();
      return viewRecord(entity, record);
    },

    deleteRecord(ref) {
      const { entity, table, record } = recordOrThrow(ref);
      table.delete(record.id);
      store.changed();
      return viewRecord(entity, record);
    },
  };
}
