import type { IncomingMessage } from 'node:http';
import { requireRight, type CrmCaller } from '../crm/crm-caller.resolver';
import { deleteRecord, entityMetadata, findRecord, insertRecord } from '../crm/crm-records.service';
import type { EmulatorContext, HttpReply } from '../http/emulator.context';
import type { EntraDirectory } from '../entra/entra-directory';
import { CrmFault, type CrmErrorName } from '../soap/crm-error-codes.constants';
import type { EntityRecord, OrgState, StoredAttr, UserState } from '../state/emulator-state.model';
import { isGuid, normalizeGuid } from '../state/state.store';

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

/** `Prefer` preferences, lower-cased, e.g. `return=representation`, `odata.include-annotations="…"`. */
function preferences(req: IncomingMessage): string[] {
  return String(req.headers['prefer'] ?? '')
    .split(',')
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

  async handle(req: IncomingMessage, route: { org: string; rest: string }, url: URL): Promise<HttpReply> {
    try {
      return await this.#route(req, route, url);
    } catch (e) {
      if (!req.readableEnded) req.resume();
      if (e instanceof WebApiError)
        return odataJson(e.status, { error: { code: e.code, message: e.message } }, e.headers);
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
    // THROTTLED (endpoint crm) as service protection answers it (docs/protocol.md §13.3): 429 with Retry-After.
    const throttle = this.ctx.scenarios.take('THROTTLED', 'crm', {
      org: org.name,
      account: call.caller.liveId,
      ...(call.actingFor ? { user: call.actingFor.id } : {}),
    });
    if (throttle) {
      const status = Number(throttle.params['status'] ?? 429);
      throw new WebApiError(
        status,
        status === 429 ? '0x80072322' : '0x80040216',
        status === 429
          ? 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.'
          : 'The service is temporarily unavailable.',
        { 'retry-after': String(throttle.params['retryAfterSec'] ?? 5) },
      );
    }
    const method = req.method ?? 'GET';
    const prefs = preferences(req);
    const annotate = wantsAnnotations(prefs);
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
    const select = url.searchParams
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (select) {
      // Dataverse refuses a column it does not have; a lookup is selected by its name or as _<name>_value.
      const meta = entityMetadata(entity);
      for (const name of select) {
        const column = /^_(\w+)_value$/.exec(name)?.[1] ?? name;
        if (!meta.attributeNames.has(column)) throw unknownProperty(entity, name);
      }
    }

    if (method === 'POST' && !id) {
      if (entity === 'systemuser')
        throw new WebApiError(405, '0x80040203', 'systemusers are read-only here.');
      requireRight(this.ctx, call, entity, 'create');
      const exists = (type: string, id: string): boolean => {
        try {
          findRecord(this.ctx, org, type, id);
          return true;
        } catch {
          return false;
        }
      };
      const newId = insertRecord(this.ctx, call, entity, readValues(entity, await readJson(req), exists));
      const entityId = `${this.#envUrl(org.name)}${API}/${set}(${newId})`;
      if (prefs.some((p) => p.toLowerCase() === 'return=representation')) {
        const record = findRecord(this.ctx, org, entity, newId);
        return odataJson(
          201,
          {
            '@odata.context': `${this.#envUrl(org.name)}${API}/$metadata#${set}/$entity`,
            ...recordJson(record, select, annotate !== undefined),
          },
          { 'odata-entityid': entityId, location: entityId, ...preferenceApplied },
        );
      }
      return odataJson(204, undefined, { 'odata-entityid': entityId });
    }
    req.resume();
    if (method === 'GET' && id) {
      requireRight(this.ctx, call, entity, 'read');
      const record = findRecord(this.ctx, org, entity, id);
      return odataJson(
        200,
        {
          '@odata.context': `${this.#envUrl(org.name)}${API}/$metadata#${set}${select ? `(${select.join(',')})` : ''}/$entity`,
          ...recordJson(record, select, annotate !== undefined),
        },
        preferenceApplied,
      );
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
    if (!org.enabled) throw new CrmFault('OrganizationDisabled', `The organization ${org.name} is disabled.`);
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
