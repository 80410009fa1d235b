import { randomUUID } from 'node:crypto';
import { CrmFault } from '../soap/crm-error-codes.constants';
import type { EmulatorContext } from '../http/emulator.context';
import type { EntityRecord, OrgState, StoredAttr, UserState } from '../state/emulator-state.model';
import { isGuid, normalizeGuid } from '../state/state.store';
import { WS_NS } from '../soap/namespaces.constants';
import { nsAttr, text, type XmlValue } from '../xml/xml-node.util';
import type { CrmCaller } from './crm-caller.resolver';
import { ENTITY_METADATA, SYSTEM_ATTRIBUTES, type EntityMetadata } from './entity-metadata.constants';
import type { NameResolver } from './entity.serializer';

/** Metadata of a supported entity, or 0x80040203 for any other name (names are case-sensitive). */
export function entityMetadata(entity: string): EntityMetadata {
  const meta = Object.prototype.hasOwnProperty.call(ENTITY_METADATA, entity)
    ? ENTITY_METADATA[entity]
    : undefined;
  if (!meta)
    throw new CrmFault('InvalidArgument', `The entity '${entity}' is not supported by the emulator.`);
  return meta;
}

/** The fault CRM 4.0 gives for an attribute the entity does not have (docs/protocol.md §6.2). */
export function unknownAttribute(entity: string, name: string): CrmFault {
  return new CrmFault(
    'InvalidArgument',
    `'${entity}' entity doesn't contain attribute with Name = '${name}'.`,
  );
}

/** Refuses any name that is not an attribute of the entity; `Name` is not `name`. */
export function requireAttributes(entity: string, meta: EntityMetadata, names: Iterable<string>): void {
  for (const name of names) if (!meta.attributeNames.has(name)) throw unknownAttribute(entity, name);
}

function ref(user: UserState): StoredAttr {
  return { t: 'ref', type: 'systemuser', id: user.id, name: user.fullName };
}

/** The systemuser view of a user, with the attributes of docs/protocol.md §5.4. */
export function systemUserRecord(user: UserState, org: OrgState): EntityRecord {
  return {
    id: user.id,
    attrs: {
      systemuserid: { t: 's', v: user.id },
      fullname: { t: 's', v: user.fullName },
      firstname: { t: 's', v: user.firstName },
      lastname: { t: 's', v: user.lastName },
      domainname: { t: 's', v: user.domainName },
      windowsliveid: { t: 's', v: user.liveId },
      isdisabled: { t: 'bool', v: !user.enabled },
      businessunitid: { t: 'ref', type: 'businessunit', id: org.businessUnitId, name: org.businessUnitName },
    },
  };
}

/** Every record of an entity in an org; systemuser and businessunit are views of the state. */
export function recordsOf(ctx: EmulatorContext, org: OrgState, entity: string): Iterable<EntityRecord> {
  if (entity === 'systemuser') return ctx.store.usersOf(org.name).map((u) => systemUserRecord(u, org));
  if (entity === 'businessunit') {
    return [
      {
        id: org.businessUnitId,
        attrs: {
          businessunitid: { t: 's', v: org.businessUnitId },
          name: { t: 's', v: org.businessUnitName },
        },
      },
    ];
  }
  return ctx.store.table(org.name, entity).values();
}

/** One record by id, or 0x80040217 as CRM words it. */
export function findRecord(ctx: EmulatorContext, org: OrgState, entity: string, id: string): EntityRecord {
  const key = normalizeGuid(id);
  let found: EntityRecord | undefined;
  if (entity === 'systemuser') {
    const user = ctx.store.user(key);
    found = user && user.org === org.name ? systemUserRecord(user, org) : undefined;
  } else if (entity === 'businessunit') {
    found = [...recordsOf(ctx, org, entity)].find((r) => r.id === key);
  } else {
    found = ctx.store.table(org.name, entity).get(key);
  }
  if (!found) throw new CrmFault('ObjectDoesNotExist', `${entity} With Id = ${key} Does Not Exist`);
  return found;
}

/** Display names of referenced records, looked up at read time. */
export function nameResolver(ctx: EmulatorContext, org: OrgState): NameResolver {
  return (type, id) => {
    if (type === 'systemuser') return ctx.store.user(id)?.fullName;
    if (type === 'businessunit') return id === org.businessUnitId ? org.businessUnitName : undefined;
    const meta = ENTITY_METADATA[type];
    if (!meta || !meta.writable) return undefined;
    const value = ctx.store.table(org.name, type).get(id)?.attrs[meta.primaryName];
    return value?.t === 's' ? value.v : undefined;
  };
}

/**
 * `IsNull` is an xs:boolean (docs/protocol.md §5.3): `1` and `true` mark an explicit null, `0`,
 * `false` or no attribute a value. Anything else does not deserialize.
 */
function isNull(raw: string | undefined, attribute: string): boolean {
  if (raw === undefined) return false;
  const value = raw.trim();
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new CrmFault(
    'InvalidArgument',
    `IsNull='${raw}' on '${attribute}' is not an xs:boolean (1, true, 0 or false).`,
    'Client',
  );
}

/** Whether the entity's attribute is a reference (Lookup, Customer, Owner), the types that carry `type`. */
function isReference(meta: EntityMetadata, name: string): boolean {
  return meta.attributes.some(
    ([n, type]) => n === name && (type === 'Lookup' || type === 'Customer' || type === 'Owner'),
  );
}

/**
 * Reads the attribute children of an `entity` element into stored values (null = IsNull). Each is an
 * element of 2007/WebServices named exactly as one of the entity's attributes (docs/protocol.md §5.3,
 * §5.6); any other is refused as CRM refuses an attribute the entity does not have.
 */
function readAttributes(
  entityNode: XmlValue,
  entity: string,
  meta: EntityMetadata,
): Map<string, StoredAttr | null> {
  const out = new Map<string, StoredAttr | null>();
  for (const raw of entityNode.children) {
    const key = raw.local;
    if (raw.ns !== WS_NS) throw unknownAttribute(entity, raw.ns === '' ? key : `{${raw.ns}}${key}`);
    if (!meta.attributeNames.has(key)) throw unknownAttribute(entity, key);
    if (out.has(key)) throw new CrmFault('InvalidArgument', `The attribute '${key}' appears more than once.`);
    if (raw.children.length > 0)
      throw new CrmFault('InvalidArgument', `The attribute '${key}' holds elements, not a value.`);
    if (isNull(nsAttr(raw, '', 'IsNull'), key)) {
      out.set(key, null);
      continue;
    }
    const value = text(raw) ?? '';
    const refType = nsAttr(raw, '', 'type');
    // Only the reference types have a `type` attribute: XmlSerializer ignores one sent on a Key or a String.
    if (key === meta.primaryKey) {
      if (!isGuid(value)) throw new CrmFault('InvalidArgument', `The key '${key}' must be a GUID.`);
      out.set(key, { t: 's', v: normalizeGuid(value) });
    } else if (isReference(meta, key) && refType !== undefined && refType !== '') {
      if (!isGuid(value)) throw new CrmFault('InvalidArgument', `The lookup '${key}' needs a GUID value.`);
      const name = nsAttr(raw, '', 'name');
      const stored: StoredAttr = { t: 'ref', type: refType.toLowerCase(), id: normalizeGuid(value) };
      if (name !== undefined) stored.name = name;
      out.set(key, stored);
    } else {
      out.set(key, { t: 's', v: value });
    }
  }
  return out;
}

function fullNameOf(attrs: Record<string, StoredAttr>): string | undefined {
  const first = attrs['firstname'];
  const last = attrs['lastname'];
  const parts = [first?.t === 's' ? first.v : '', last?.t === 's' ? last.v : ''].filter((p) => p !== '');
  return parts.length ? parts.join(' ') : undefined;
}

function deriveFullName(entity: string, attrs: Record<string, StoredAttr>): void {
  if (entity !== 'contact' && entity !== 'lead') return;
  const full = fullNameOf(attrs);
  if (full === undefined) delete attrs['fullname'];
  else attrs['fullname'] = { t: 's', v: full };
}

function checkOwner(ctx: EmulatorContext, org: OrgState, owner: StoredAttr | null | undefined): void {
  if (!owner || owner.t !== 'ref') return;
  if (owner.type === 'systemuser') {
    const user = ctx.store.user(owner.id);
    if (!user || user.org !== org.name) {
      throw new CrmFault('ObjectDoesNotExist', `systemuser With Id = ${owner.id} Does Not Exist`);
    }
  }
}

/**
 * Create, stamped as CRM does (docs/protocol.md §10.2): createdby/modifiedby = the user acted for (or the
 * caller), createdonbehalfby/modifiedonbehalfby = the caller when impersonating, absent otherwise;
 * ownerid defaults to createdby.
 */
export function createRecord(
  ctx: EmulatorContext,
  call: CrmCaller,
  entity: string,
  entityNode: XmlValue,
): string {
  const meta = entityMetadata(entity);
  if (!meta.writable)
    throw new CrmFault('InvalidArgument', `The emulator does not create ${entity} records.`);
  return insertRecord(ctx, call, entity, readAttributes(entityNode, entity, meta));
}

/**
 * The Create of either wire format (SOAP here, the Dataverse Web API in dataverse/), from attribute values
 * already read and checked against the entity's metadata: stamped as createRecord says.
 */
export function insertRecord(
  ctx: EmulatorContext,
  call: CrmCaller,
  entity: string,
  values: Map<string, StoredAttr | null>,
): string {
  const meta = entityMetadata(entity);
  const given = values.get(meta.primaryKey);
  const id = given && given.t === 's' ? given.v : randomUUID();
  const table = ctx.store.table(call.org.name, entity);
  if (table.has(id)) throw new CrmFault('InvalidArgument', `A ${entity} with id ${id} already exists.`);
  checkOwner(ctx, call.org, values.get('ownerid'));
  const by = call.actingFor ?? call.caller;
  const now = Date.now();
  const attrs: Record<string, StoredAttr> = { [meta.primaryKey]: { t: 's', v: id } };
  for (const [name, value] of values) {
    if (name === meta.primaryKey || SYSTEM_ATTRIBUTES.has(name) || value === null) continue;
    attrs[name] = value;
  }
  deriveFullName(entity, attrs);
  attrs['createdby'] = ref(by);
  attrs['createdon'] = { t: 'date', v: now };
  if (call.actingFor) attrs['createdonbehalfby'] = ref(call.caller);
  attrs['modifiedby'] = ref(by);
  attrs['modifiedon'] = { t: 'date', v: now };
  if (call.actingFor) attrs['modifiedonbehalfby'] = ref(call.caller);
  if (!attrs['ownerid']) attrs['ownerid'] = ref(by);
  table.set(id, { id, attrs });
  ctx.store.changed();
  return id;
}

/** Update: changes the given attributes and restamps modifiedby/modifiedonbehalfby/modifiedon. */
export function updateRecord(
  ctx: EmulatorContext,
  call: CrmCaller,
  entity: string,
  entityNode: XmlValue,
): void {
  const meta = entityMetadata(entity);
  if (!meta.writable)
    throw new CrmFault('InvalidArgument', `The emulator does not update ${entity} records.`);
  const values = readAttributes(entityNode, entity, meta);
  const key = values.get(meta.primaryKey);
  if (!key || key.t !== 's') {
    throw new CrmFault('InvalidArgument', `Update needs the primary key ${meta.primaryKey} in the entity.`);
  }
  applyUpdate(ctx, call, entity, findRecord(ctx, call.org, entity, key.v), values);
}

/**
 * The Update of either wire format (SOAP here, the Dataverse Web API in dataverse/), from attribute values
 * already read and checked against the entity's metadata: stamped as updateRecord says.
 */
export function applyUpdate(
  ctx: EmulatorContext,
  call: CrmCaller,
  entity: string,
  record: EntityRecord,
  values: Map<string, StoredAttr | null>,
): void {
  const meta = entityMetadata(entity);
  checkOwner(ctx, call.org, values.get('ownerid'));
  for (const [name, value] of values) {
    if (name === meta.primaryKey || SYSTEM_ATTRIBUTES.has(name)) continue;
    if (value === null) delete record.attrs[name];
    else record.attrs[name] = value;
  }
  // fullname is CRM's to compute from the first and last names: one sent by the client never sticks.
  deriveFullName(entity, record.attrs);
  const by = call.actingFor ?? call.caller;
  record.attrs['modifiedby'] = ref(by);
  record.attrs['modifiedon'] = { t: 'date', v: Date.now() };
  if (call.actingFor) record.attrs['modifiedonbehalfby'] = ref(call.caller);
  else delete record.attrs['modifiedonbehalfby'];
  ctx.store.changed();
}

/** Delete by id. */
export function deleteRecord(ctx: EmulatorContext, call: CrmCaller, entity: string, id: string): void {
  const meta = entityMetadata(entity);
  if (!meta.writable)
    throw new CrmFault('InvalidArgument', `The emulator does not delete ${entity} records.`);
  if (!isGuid(id)) throw new CrmFault('InvalidArgument', `'${id}' is not a GUID.`);
  findRecord(ctx, call.org, entity, id);
  ctx.store.table(call.org.name, entity).delete(normalizeGuid(id));
  ctx.store.changed();
}
