import type { IncomingMessage } from 'node:http';
import { requireRight, type CrmCaller } from '../crm/crm-caller.resolver';
import {
  applyUpdate,
  deleteRecord,
  entityMetadata,
  findRecord,
  insertRecord,
  recordsOf,
  systemUserRecord,
} from '../crm/crm-records.service';
import type { EmulatorContext, HttpReply } from '../http/emulator.context';
import { HTML_LOGIN_PAGE, truncateReply } from '../http/transport-scenarios';
import type { EntraDirectory } from '../entra/entra-directory';
import { CrmFault, type CrmErrorName } from '../soap/crm-error-codes.constants';
import type { EntityRecord, OrgState, StoredAttr, UserState } from '../state/emulator-state.model';
import { isGuid, normalizeGuid } from '../state/state.store';
import {
  compileFilter,
  compileOrderBy,
  ODataQueryError,
  parseExpand,
  readSkipToken,
  skipToken,
  type ColumnSet,
  type Expansion,
} from './odata-query';

const API = '/api/data/v9.2';
const JSON_MAX_BYTES = 1024 * 1024;
const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';

/** Entity sets the Web API subset serves (docs/protocol.md §13.2), by their collection name. */
const ENTITY_SETS: Record<string, string> = {
  accounts: 'account',
  contacts: 'contact',
  leads: 'lead',
  systemusers: 'systemuser',
};

/** The entity of a collection name, own keys only (`constructor`, `__proto__` name no entity set). */
function entityOfSet(name: string): string | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(ENTITY_SETS, key) ? ENTITY_SETS[key] : undefined;
}

const UNKNOWN_PROPERTY = '0x80060888';
/** The largest page the service serves, and its default (docs/protocol.md §13.5). [PA webapi/query/page-results.md] */
const MAX_PAGE_SIZE = 5000;
const COLLECTION_OPTIONS = new Set([
  '$select',
  '$filter',
  '$top',
  '$orderby',
  '$expand',
  '$count',
  '$skiptoken',
]);
const RECORD_OPTIONS = new Set(['$select', '$expand']);
/** systemuser columns only the Web API shows (the SOAP CrmService of CRM 4.0 has neither). */
const WEB_API_USER_COLUMNS: ReadonlySet<string> = new Set(['azureactivedirectoryobjectid', 'applicationid']);

/** The columns of an entity on the Web API, and which of them are lookups (`_<name>_value`). */
function columnsOf(entity: string): ColumnSet {
  const meta = entityMetadata(entity);
  const lookups = new Set(
    meta.attributes
      .filter(([, type]) => type === 'Lookup' || type === 'Customer' || type === 'Owner')
      .map(([name]) => name),
  );
  return {
    entity,
    has: (name) =>
      meta.attributeNames.has(name) || (entity === 'systemuser' && WEB_API_USER_COLUMNS.has(name)),
    isLookup: (name) => lookups.has(name),
  };
}

/** A systemuser as the Web API shows it: CRM's columns, and the Entra object id and app id where it has them. */
function webApiUser(user: UserState, org: OrgState): EntityRecord {
  const record = systemUserRecord(user, org);
  if (user.entraObjectId)
    record.attrs['azureactivedirectoryobjectid'] = { t: 's', v: normalizeGuid(user.entraObjectId) };
  if (user.applicationId) record.attrs['applicationid'] = { t: 's', v: normalizeGuid(user.applicationId) };
  return record;
}

/** An error of the Web API: `{"error": {"code": "0x…", "message": "…"}}` with its HTTP status (§13.3). */
export class WebApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The HTTP status each CRM platform error answers with on the Web API. [decision] where §13.4 says so. */
const STATUS_OF: Record<CrmErrorName, number> = {
  ExpiredAuthTicket: 401,
  BadAuthTicket: 401,
  OrganizationDisabled: 403,
  ObjectDoesNotExist: 404,
  PrivilegeDenied: 403,
  PrincipalPrivilegeDenied: 403,
  UserDisabled: 403,
  InvalidArgument: 400,
  NotImplemented: 501,
  MissingUserId: 400,
};

function odataJson(status: number, value: unknown, headers: Record<string, string> = {}): HttpReply {
  return {
    status,
    headers: {
      'content-type': 'application/json; odata.metadata=minimal; charset=utf-8',
      'odata-version': '4.0',
      ...headers,
    },
    body: value === undefined ? '' : JSON.stringify(value),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > JSON_MAX_BYTES)
      // The rest of the body is not read: the connection cannot carry another request.
      throw new WebApiError(413, '0x80040203', 'The request body is too large.', { connection: 'close' });
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new WebApiError(400, '0x80040203', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new WebApiError(400, '0x80040203', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** `Prefer` preferences, e.g. `return=representation`, `odata.include-annotations="…"` (commas inside quotes kept). */
function preferences(req: IncomingMessage): string[] {
  return String(req.headers['prefer'] ?? '')
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((p) => p.trim())
    .filter(Boolean);
}

function wantsAnnotations(prefs: string[]): string | undefined {
  const p = prefs.find((x) => x.toLowerCase().startsWith('odata.include-annotations='));
  if (!p) return undefined;
  const value = p.slice(p.indexOf('=') + 1).replace(/^"|"$/g, '');
  return value === '*' ||
    value.split(',').some((v) => v === FORMATTED || v === 'OData.Community.Display.V1.*')
    ? p
    : undefined;
}

/** `odata.maxpagesize=N` when it can be applied (1 to 5000); a larger or malformed one is ignored. */
function pageSizePreference(prefs: string[]): number | undefined {
  const p = prefs.find((x) => /^odata\.maxpagesize=/i.test(x));
  const n = p ? Number(p.slice(p.indexOf('=') + 1).trim()) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_PAGE_SIZE ? n : undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A record as the Web API writes it: plain columns by name, lookups as `_<name>_value` (with the name and the
 * entity as annotations when asked for), dates in ISO 8601 UTC, booleans as JSON booleans.
 */
export function recordJson(
  record: EntityRecord,
  select: string[] | undefined,
  annotations: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The primary key comes back whatever $select says, as Dataverse returns it.
  const key = Object.keys(record.attrs)[0];
  const want = (name: string): boolean =>
    !select || name === key || select.includes(name) || select.includes(`_${name}_value`);
  for (const [name, v] of Object.entries(record.attrs)) {
    if (!want(name)) continue;
    if (v.t === 'ref') {
      out[`_${name}_value`] = v.id;
      if (annotations) {
        if (v.name !== undefined) out[`_${name}_value@${FORMATTED}`] = v.name;
        out[`_${name}_value@${LOOKUP_NAME}`] = v.type;
      }
    } else if (v.t === 'date') out[name] = iso(v.v);
    else if (v.t === 'bool') out[name] = v.v;
    else out[name] = v.v;
  }
  return out;
}

function unknownProperty(entity: string, name: string): WebApiError {
  return new WebApiError(
    400,
    UNKNOWN_PROPERTY,
    `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${entity}'.`,
  );
}

/** JSON attribute values to the emulator's stored values, checked against the entity's metadata. */
function readValues(
  entity: string,
  body: Record<string, unknown>,
  exists: (entity: string, id: string) => boolean,
): Map<string, StoredAttr | null> {
  const meta = entityMetadata(entity);
  const out = new Map<string, StoredAttr | null>();
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@')) continue;
    if (key.endsWith('@odata.bind')) {
      const name = key.slice(0, -'@odata.bind'.length);
      if (!meta.attributeNames.has(name)) throw unknownProperty(entity, name);
      const m = typeof value === 'string' ? /^\/?(\w+)\(([0-9a-fA-F-]{36})\)$/.exec(value) : null;
      const type = m ? entityOfSet(m[1]!) : undefined;
      if (!m || !type)
        throw new WebApiError(400, '0x80040203', `The value of '${key}' must be like '/accounts(<guid>)'.`);
      const id = normalizeGuid(m[2]!);
      if (!exists(type, id))
        throw new CrmFault('ObjectDoesNotExist', `${type} With Id = ${id} Does Not Exist`);
      out.set(name, { t: 'ref', type, id });
      continue;
    }
    if (!meta.attributeNames.has(key)) throw unknownProperty(entity, key);
    if (key === meta.primaryKey) {
      if (typeof value !== 'string' || !isGuid(value))
        throw new WebApiError(400, '0x80040203', `The key '${key}' must be a GUID.`);
      out.set(key, { t: 's', v: normalizeGuid(value) });
    } else if (value === null) out.set(key, null);
    else if (typeof value === 'boolean') out.set(key, { t: 'bool', v: value });
    else if (typeof value === 'string' || typeof value === 'number')
      out.set(key, { t: 's', v: String(value) });
    else
      throw new WebApiError(
        400,
        '0x80040203',
        `The value of '${key}' must be a string, number, boolean or null.`,
      );
  }
  return out;
}

/**
 * The Dataverse Web API subset of an environment (docs/protocol.md §13.2, §13.5): WhoAmI, and create, retrieve
 * and delete of account, contact, lead (and systemuser, read only), under `/dataverse/<org>/api/data/v9.2/`.
 * Authorization is a bearer token the emulated identity platform issued for this environment; impersonation
 * is `CallerObjectId` (an Entra object id) or `MSCRMCallerID` (a systemuserid), with the two silent no-ops of
 * §13.2. Records and their stamps live in the same store, and follow the same rules, as CRM 4.0's.
 */
export class DataverseHandler {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly directory: EntraDirectory,
  ) {}

  /** `/dataverse/<org>/api/data/v9.2/<rest>` → the org and the rest of the path. */
  static match(pathname: string): { org: string; rest: string } | undefined {
    const m = /^\/dataverse\/([^/]+)\/api\/data\/v9\.2(\/.*)?$/i.exec(pathname);
    if (!m) return undefined;
    let org: string;
    try {
      org = decodeURIComponent(m[1]!).toLowerCase();
    } catch {
      // Not valid percent-encoding: no environment has that name (answered 404).
      org = m[1]!.toLowerCase();
    }
    return { org, rest: m[2] ?? '/' };
  }

  /** Requests whose reply MALFORMED_REPLY cuts in half. */
  readonly #truncateNext = new WeakSet<IncomingMessage>();

  async handle(req: IncomingMessage, route: { org: string; rest: string }, url: URL): Promise<HttpReply> {
    const reply = await this.#reply(req, route, url);
    return this.#truncateNext.has(req) ? truncateReply(reply) : reply;
  }

  async #reply(req: IncomingMessage, route: { org: string; rest: string }, url: URL): Promise<HttpReply> {
    try {
      return await this.#route(req, route, url);
    } catch (e) {
      if (!req.readableEnded) req.resume();
      if (e instanceof WebApiError)
        return odataJson(e.status, { error: { code: e.code, message: e.message } }, e.headers);
      if (e instanceof ODataQueryError)
        return odataJson(400, { error: { code: UNKNOWN_PROPERTY, message: e.message } });
      if (e instanceof CrmFault)
        return odataJson(STATUS_OF[e.errorName], { error: { code: e.code, message: e.message } });
      throw e;
    }
  }

  #envUrl(org: string): string {
    return `${this.ctx.urls.base}/dataverse/${org}`;
  }

  async #route(req: IncomingMessage, route: { org: string; rest: string }, url: URL): Promise<HttpReply> {
    const org = this.ctx.store.org(route.org);
    if (!org)
      throw new WebApiError(404, '0x80040217', `No Dataverse environment at ${this.#envUrl(route.org)}.`);
    const call = this.#authenticate(req, org);
    const early = await this.#transport(req, call);
    if (early) return early;
    const method = req.method ?? 'GET';
    const prefs = preferences(req);
    const annotate = wantsAnnotations(prefs);
    const annotations = annotate !== undefined;
    const preferenceApplied: Record<string, string> = annotate ? { 'preference-applied': annotate } : {};
    const rest = route.rest;
    if (/^\/WhoAmI(\(\))?$/i.test(rest)) {
      if (method !== 'GET') throw new WebApiError(405, '0x80060888', 'WhoAmI is a function: use GET.');
      req.resume();
      // [decision] Under impersonation WhoAmI answers the user acted for (§13.4).
      const who = call.actingFor ?? call.caller;
      return odataJson(200, {
        '@odata.context': `${this.#envUrl(org.name)}${API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: org.businessUnitId,
        UserId: who.id,
        OrganizationId: org.id,
      });
    }
    const m = /^\/(\w+)(?:\(([0-9a-fA-F-]{36})\))?$/.exec(rest);
    const entity = m ? entityOfSet(m[1]!) : undefined;
    if (!m || !entity)
      throw new WebApiError(404, '0x80060888', `Resource not found for the segment '${rest.slice(1)}'.`);
    const id = m[2] ? normalizeGuid(m[2]) : undefined;
    const set = m[1]!.toLowerCase();
    const columns = columnsOf(entity);
    const listing = method === 'GET' && !id;
    const allowed = listing ? COLLECTION_OPTIONS : RECORD_OPTIONS;
    for (const key of new Set(url.searchParams.keys()))
      if (key.startsWith('$') && !allowed.has(key))
        throw new ODataQueryError(`The query option '${key}' is not supported here by the emulator.`);
    const select = url.searchParams
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // Dataverse refuses a column it does not have; a lookup is selected by its name or as _<name>_value.
    for (const name of select ?? []) {
      const column = /^_(\w+)_value$/.exec(name)?.[1] ?? name;
      if (!columns.has(column)) throw unknownProperty(entity, name);
    }
    const expandText = url.searchParams.get('$expand');
    const expand = expandText !== null ? parseExpand(expandText, columns) : [];
    const json = (record: EntityRecord): Record<string, unknown> => ({
      ...recordJson(record, select, annotations),
      ...this.#expanded(org, record, expand, annotations),
    });
    const representation = prefs.some((p) => p.toLowerCase() === 'return=representation');
    const entityContext = `${this.#envUrl(org.name)}${API}/$metadata#${set}/$entity`;

    if (method === 'POST' && !id) {
      if (entity === 'systemuser')
        throw new WebApiError(405, '0x80040203', 'systemusers are read-only here.');
      requireRight(this.ctx, call, entity, 'create');
      const newId = insertRecord(
        this.ctx,
        call,
        entity,
        readValues(entity, await readJson(req), this.#exists(org)),
      );
      const entityId = `${this.#envUrl(org.name)}${API}/${set}(${newId})`;
      if (representation)
        return odataJson(
          201,
          { '@odata.context': entityContext, ...json(this.#find(org, entity, newId)) },
          { 'odata-entityid': entityId, location: entityId, ...preferenceApplied },
        );
      return odataJson(204, undefined, { 'odata-entityid': entityId });
    }
    if (method === 'PATCH' && id) {
      if (entity === 'systemuser')
        throw new WebApiError(405, '0x80040203', 'systemusers are read-only here.');
      const values = readValues(entity, await readJson(req), this.#exists(org));
      const meta = entityMetadata(entity);
      const key = values.get(meta.primaryKey);
      if (key && key.t === 's' && key.v !== id)
        throw new WebApiError(
          400,
          '0x80040203',
          `The key '${meta.primaryKey}' in the body is not the record's id.`,
        );
      const existing = this.#exists(org)(entity, id) ? this.#find(org, entity, id) : undefined;
      const ifMatch = String(req.headers['if-match'] ?? '').trim();
      const ifNoneMatch = String(req.headers['if-none-match'] ?? '').trim();
      const entityId = `${this.#envUrl(org.name)}${API}/${set}(${id})`;
      let created = false;
      if (existing) {
        // If-None-Match: * makes it a create only: 412 for an existing record ([decision] the code 0x80040237).
        if (ifNoneMatch === '*')
          throw new WebApiError(412, '0x80040237', 'A record with matching key values already exists.');
        requireRight(this.ctx, call, entity, 'write');
        applyUpdate(this.ctx, call, entity, existing, values);
      } else {
        // If-Match: * is an update only: the record must exist. Without it a PATCH creates (an upsert).
        if (ifMatch === '*')
          throw new CrmFault('ObjectDoesNotExist', `${entity} With Id = ${id} Does Not Exist`);
        requireRight(this.ctx, call, entity, 'create');
        values.set(meta.primaryKey, { t: 's', v: id });
        insertRecord(this.ctx, call, entity, values);
        created = true;
      }
      if (representation)
        return odataJson(
          created ? 201 : 200,
          { '@odata.context': entityContext, ...json(this.#find(org, entity, id)) },
          {
            'odata-entityid': entityId,
            'preference-applied': ['return=representation', annotate].filter(Boolean).join(','),
          },
        );
      return odataJson(204, undefined, { 'odata-entityid': entityId });
    }
    req.resume();
    if (method === 'GET' && id) {
      requireRight(this.ctx, call, entity, 'read');
      const record = this.#find(org, entity, id);
      return odataJson(
        200,
        {
          '@odata.context': `${this.#envUrl(org.name)}${API}/$metadata#${set}${select ? `(${select.join(',')})` : ''}/$entity`,
          ...json(record),
        },
        preferenceApplied,
      );
    }
    if (listing) {
      requireRight(this.ctx, call, entity, 'read');
      return this.#list(org, set, entity, url, prefs, json, preferenceApplied);
    }
    if (method === 'DELETE' && id) {
      if (entity === 'systemuser')
        throw new WebApiError(405, '0x80040203', 'systemusers are read-only here.');
      requireRight(this.ctx, call, entity, 'delete');
      deleteRecord(this.ctx, call, entity, id);
      return odataJson(204, undefined);
    }
    throw new WebApiError(
      405,
      '0x80040203',
      `${method} is not served on ${set}${id ? '(id)' : ''} by the emulator.`,
    );
  }

  /**
   * A collection: `$filter`, `$orderby`, `$top`, `$count`, and server-driven paging (docs/protocol.md §13.5):
   * `Prefer: odata.maxpagesize=N` (at most 5000, a larger one ignored) gives at most N records and an
   * `@odata.nextLink` with a `$skiptoken` while more remain; the default page is 5000.
   */
  #list(
    org: OrgState,
    set: string,
    entity: string,
    url: URL,
    prefs: string[],
    json: (r: EntityRecord) => Record<string, unknown>,
    preferenceApplied: Record<string, string>,
  ): HttpReply {
    const columns = columnsOf(entity);
    const q = url.searchParams;
    let rows = this.#all(org, entity);
    const filter = q.get('$filter');
    if (filter !== null) {
      const keep = compileFilter(filter, columns);
      rows = rows.filter(keep);
    }
    const orderBy = q.get('$orderby');
    if (orderBy !== null) rows = [...rows].sort(compileOrderBy(orderBy, columns));
    const total = rows.length;
    const top = q.get('$top');
    if (top !== null) {
      if (!/^\d{1,9}$/.test(top)) throw new ODataQueryError(`$top '${top}' is not a whole number.`);
      rows = rows.slice(0, Number(top));
    }
    const count = q.get('$count');
    if (count !== null && count !== 'true' && count !== 'false')
      throw new ODataQueryError(`$count '${count}' is neither true nor false.`);
    const asked = pageSizePreference(prefs);
    const pageSize = asked ?? MAX_PAGE_SIZE;
    const token = q.get('$skiptoken');
    const { page, position } = token !== null ? readSkipToken(token) : { page: 1, position: 0 };
    const pageRows = rows.slice(position, position + pageSize);
    const next = position + pageSize;
    const select = q.get('$select');
    const body: Record<string, unknown> = {
      '@odata.context': `${this.#envUrl(org.name)}${API}/$metadata#${set}${select ? `(${select})` : ''}`,
    };
    if (count === 'true') body['@odata.count'] = total;
    body['value'] = pageRows.map(json);
    if (next < rows.length) {
      const kept = url.search
        .slice(1)
        .split('&')
        .filter((p) => p !== '' && new URLSearchParams(p).keys().next().value !== '$skiptoken');
      kept.push(`$skiptoken=${encodeURIComponent(skipToken(page + 1, next))}`);
      body['@odata.nextLink'] = `${this.#envUrl(org.name)}${API}/${set}?${kept.join('&')}`;
    }
    const applied = [
      preferenceApplied['preference-applied'],
      asked ? `odata.maxpagesize=${asked}` : undefined,
    ]
      .filter(Boolean)
      .join(',');
    return odataJson(200, body, applied ? { 'preference-applied': applied } : {});
  }

  /** `$expand` of lookups: the record each names, with its `$select`, or null when it names none. */
  #expanded(
    org: OrgState,
    record: EntityRecord,
    expand: Expansion[],
    annotations: boolean,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const e of expand) {
      const v = record.attrs[e.navigation];
      const target = v?.t === 'ref' && this.#exists(org)(v.type, v.id) ? v : undefined;
      if (!target) {
        out[e.navigation] = null;
        continue;
      }
      const columns = columnsOf(target.type);
      for (const name of e.select ?? [])
        if (!columns.has(/^_(\w+)_value$/.exec(name)?.[1] ?? name)) throw unknownProperty(target.type, name);
      out[e.navigation] = recordJson(this.#find(org, target.type, target.id), e.select, annotations);
    }
    return out;
  }

  /** Whether a record exists, for `@odata.bind` and `$expand`. */
  #exists(org: OrgState): (entity: string, id: string) => boolean {
    return (type, id) => {
      try {
        this.#find(org, type, id);
        return true;
      } catch {
        return false;
      }
    };
  }

  /** One record; a systemuser as the Web API shows it (with its Entra object id and application id). */
  #find(org: OrgState, entity: string, id: string): EntityRecord {
    if (entity !== 'systemuser') return findRecord(this.ctx, org, entity, id);
    const user = this.ctx.store.user(normalizeGuid(id));
    if (!user || user.org !== org.name)
      throw new CrmFault('ObjectDoesNotExist', `systemuser With Id = ${normalizeGuid(id)} Does Not Exist`);
    return webApiUser(user, org);
  }

  /** Every record of an entity set, in the order they were created. */
  #all(org: OrgState, entity: string): EntityRecord[] {
    if (entity === 'systemuser') return this.ctx.store.usersOf(org.name).map((u) => webApiUser(u, org));
    return [...recordsOf(this.ctx, org, entity)];
  }

  /**
   * The transport scenarios (endpoint crm) on the Web API, as the service would show them: THROTTLED as service protection (429, `Retry-After`, `0x80072322`), SLOW
   * delays the reply, HTTP_500 answers 500 with the OData error body, DROP_CONNECTION closes the connection
   * without a reply, MALFORMED_REPLY cuts the JSON in half, HTML_LOGIN_PAGE answers a sign-in page.
   */
  async #transport(req: IncomingMessage, call: CrmCaller): Promise<HttpReply | undefined> {
    const scenarioCtx = {
      org: call.org.name,
      account: call.caller.liveId,
      ...(call.actingFor ? { user: call.actingFor.id } : {}),
    };
    const scenarios = this.ctx.scenarios.takeTransport('crm', scenarioCtx);
    let truncate = false;
    for (const s of scenarios) {
      switch (s.name) {
        case 'SLOW':
          await new Promise((resolve) => setTimeout(resolve, Number(s.params['ms'] ?? 0)));
          break;
        case 'THROTTLED': {
          const status = Number(s.params['status'] ?? 429);
          throw new WebApiError(
            status,
            status === 429 ? '0x80072322' : '0x80040216',
            status === 429
              ? 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.'
              : 'The service is temporarily unavailable.',
            { 'retry-after': String(s.params['retryAfterSec'] ?? 5) },
          );
        }
        case 'HTTP_500':
          // [decision] An unexpected server error, with the OData error body and CRM's generic code.
          throw new WebApiError(500, '0x80040216', 'An unexpected error occurred.');
        case 'DROP_CONNECTION':
          req.socket.destroy();
          return odataJson(500, undefined);
        case 'HTML_LOGIN_PAGE':
          req.resume();
          return {
            status: 200,
            headers: { 'content-type': 'text/html; charset=utf-8' },
            body: HTML_LOGIN_PAGE,
          };
        case 'MALFORMED_REPLY':
          truncate = true;
          break;
        default:
          break;
      }
    }
    if (truncate) this.#truncateNext.add(req);
    return undefined;
  }

  /**
   * The bearer token, the application user it names, and the impersonation headers, in that order. A missing,
   * unknown or expired token, or one for another resource, answers 401 with the `WWW-Authenticate` of §13.3.
   */
  #authenticate(req: IncomingMessage, org: OrgState): CrmCaller {
    const envUrl = this.#envUrl(org.name);
    const tenant = this.directory.tenantOfEnvironment(envUrl, this.ctx.urls.base);
    const challenge = {
      'www-authenticate': `Bearer authorization_uri=${this.ctx.urls.base}/${tenant?.id ?? 'common'}/oauth2/authorize, resource_id=${envUrl}`,
    };
    const auth = String(req.headers['authorization'] ?? '');
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const now = Date.now();
    const grant = bearer ? this.directory.token(bearer, now) : undefined;
    if (!grant || grant.resource !== envUrl.toLowerCase())
      throw new WebApiError(
        401,
        '0x80072560',
        'The bearer token is missing, expired or not for this environment.',
        challenge,
      );
    const users = this.ctx.store.usersOf(org.name);
    const caller = users.find((u) => u.applicationId?.toLowerCase() === grant.clientId.toLowerCase());
    if (!caller)
      // [decision] An app without an application user in the environment.
      throw new WebApiError(
        403,
        '0x80072560',
        `The user is not a member of the organization (application ${grant.clientId}).`,
      );
    // DISABLED_ORG (endpoint crm) answers as a disabled organization does: 403 0x8004A104.
    if (
      !org.enabled ||
      this.ctx.scenarios.take('DISABLED_ORG', 'crm', { org: org.name, account: caller.liveId })
    )
      throw new CrmFault('OrganizationDisabled', `The organization ${org.name} is disabled.`);
    if (!caller.enabled) throw new CrmFault('UserDisabled', `The user ${caller.fullName} is disabled.`);
    const claims = {
      org: org.name,
      orgId: org.id,
      liveId: caller.liveId,
      iat: now,
      exp: grant.expiresAt,
      jti: '',
    };
    const target = this.#actingFor(req, users, caller);
    if (!target) return { org, caller, actingFor: undefined, claims };
    const scenarioCtx = { org: org.name, account: caller.liveId, user: target.id };
    if (!caller.proxyRole || this.ctx.scenarios.take('NO_PROXY_ROLE', 'crm', scenarioCtx))
      throw new WebApiError(
        403,
        '0x8004A110',
        `The user ${caller.fullName} does not hold the privilege prvActOnBehalfOfAnotherUser and cannot act on behalf of another user.`,
      );
    if (!target.enabled || this.ctx.scenarios.take('DISABLED_USER', 'crm', scenarioCtx))
      throw new CrmFault(
        'UserDisabled',
        `The user ${target.fullName} (${target.id}) is disabled and cannot be acted for.`,
      );
    return { org, caller, actingFor: target, claims };
  }

  /**
   * The user acted for, or none: `CallerObjectId` names a user by Entra object id (the app user's own id means no
   * impersonation); `MSCRMCallerID` by systemuserid, and an Entra object id sent there is ignored (§13.2).
   * [decision] With both headers, CallerObjectId wins.
   */
  #actingFor(req: IncomingMessage, users: UserState[], caller: UserState): UserState | undefined {
    const byObject = req.headers['callerobjectid'];
    const bySystem = req.headers['mscrmcallerid'];
    if (typeof byObject === 'string' && byObject.trim() !== '') {
      if (!isGuid(byObject))
        throw new WebApiError(400, '0x80040203', `CallerObjectId '${byObject}' is not a GUID.`);
      const oid = normalizeGuid(byObject);
      if (caller.entraObjectId && oid === normalizeGuid(caller.entraObjectId)) return undefined;
      const user = users.find((u) => u.entraObjectId && normalizeGuid(u.entraObjectId) === oid);
      if (!user)
        throw new CrmFault(
          'ObjectDoesNotExist',
          `systemuser With azureactivedirectoryobjectid = ${oid} Does Not Exist`,
        );
      return user;
    }
    if (typeof bySystem === 'string' && bySystem.trim() !== '') {
      if (!isGuid(bySystem))
        throw new WebApiError(400, '0x80040203', `MSCRMCallerID '${bySystem}' is not a GUID.`);
      const id = normalizeGuid(bySystem);
      const user = users.find((u) => u.id === id);
      if (user) return user.id === caller.id ? undefined : user;
      if (users.some((u) => u.entraObjectId && normalizeGuid(u.entraObjectId) === id)) return undefined;
      throw new CrmFault('ObjectDoesNotExist', `systemuser With Id = ${id} Does Not Exist`);
    }
    return undefined;
  }
}
