import { requireGuid } from '../messages/arguments';
import { CRM_FAULT_CODES } from '../messages/constants';
import { toGuid } from '../messages/values';
import { normalizeFaultCode } from '../messages/faults';
import { CrmAuthError, type CrmAuthErrorCode } from '../errors';
import { httpsUrl, invalidOptions, nonEmptyString, requireObject } from '../option-checks';
import type { HttpsTransport, TransportResponse } from '../transport/https-transport';
import { checkOnBehalfOf } from '../session/org-records';
import type { OnBehalfOf } from '../session/org-session';
import { transportFor, type ClientCommonOptions } from '../clients/client-options';
import { measureRoundTrip, type CallOptions, type RoundTrip } from '../clients/round-trip';

/** Who a Dataverse call acts for: an Entra object id (`CallerObjectId`, preferred) or a systemuserid (`MSCRMCallerID`). */
export type DataverseOnBehalfOf = { entraObjectId: string } | { userId: string };

/** Per-call options of {@link DataverseClient}. A `{ puid }` (CRM 4.0's) is refused before sending. */
export interface DataverseCallOptions extends CallOptions {
  onBehalfOf?: OnBehalfOf;
}

/** Options of {@link DataverseClient}. */
export interface DataverseClientOptions extends ClientCommonOptions {
  /** The environment's URL, e.g. `https://contoso.crm.dynamics.com`. */
  environmentUrl: string;
}

/** A record as the Web API returns it (columns by name, lookups as `_<name>_value`, annotations as sent). */
export type DataverseRecord = Record<string, unknown>;

/** A user of the environment (a `systemuser`): a person, or an application user when `applicationId` is set. */
export interface DataverseUser {
  userId: string;
  fullName: string | null;
  entraObjectId: string | null;
  applicationId: string | null;
  disabled: boolean;
}

/** WhoAmI's answer. */
export interface DataverseWhoAmI {
  userId: string;
  businessUnitId: string;
  organizationId: string;
}

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
/** The annotations a read asks for: a lookup's display name and its table (§13.2). */
const READ_ANNOTATIONS = `odata.include-annotations="${FORMATTED},Microsoft.Dynamics.CRM.lookuplogicalname"`;

/** The Web API's error codes with no CRM 4.0 twin: what they become (docs/protocol.md §13.3). */
const WEB_API_CODES: Readonly<Record<string, CrmAuthErrorCode>> = {
  // The application user cannot act on behalf of another user: it lacks prvActOnBehalfOfAnotherUser.
  '0x8004A110': 'ERR_CRM_PRIVILEGE_DENIED',
};

/**
 * The Dataverse Web API (OData v4, docs/protocol.md §13.2) with a bearer token: WhoAmI, create, retrieve and
 * delete, each optionally on behalf of a user. Error replies become {@link CrmAuthError}s with the codes CRM
 * 4.0's faults use (`faultCode` = the hex code as sent); a 401 is ERR_CRM_EXPIRED_TICKET (refresh the token and
 * retry once), a 429 ERR_HTTP_STATUS with `retryAfterMs`.
 */
export class DataverseClient {
  readonly apiUrl: string;
  readonly #transport: HttpsTransport;
  readonly #owned: boolean;
  readonly #onRoundTrip: ((trip: RoundTrip) => void) | undefined;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: DataverseClientOptions) {
    requireObject(options, 'DataverseClient options');
    this.apiUrl = `${httpsUrl(options.environmentUrl, 'environmentUrl').replace(/\/+$/, '')}/api/data/v9.2`;
    const { transport, owned } = transportFor(options);
    this.#transport = transport;
    this.#owned = owned;
    this.#onRoundTrip = options.onRoundTrip;
  }

  async whoAmI(accessToken: string, options: DataverseCallOptions = {}): Promise<DataverseWhoAmI> {
    const res = await this.#send(accessToken, 'WhoAmI', 'GET', 'WhoAmI', undefined, options);
    const parsed = json(res);
    const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const pick = (k: string): string => {
      const v = body[k];
      const id = typeof v === 'string' ? toGuid(v) : undefined;
      if (id === undefined)
        throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', `WhoAmI answered without a GUID ${k}`, {
          operation: 'WhoAmI',
        });
      return id;
    };
    return {
      userId: pick('UserId'),
      businessUnitId: pick('BusinessUnitId'),
      organizationId: pick('OrganizationId'),
    };
  }

  /** Creates a record in `entitySet` (e.g. `accounts`); its id, from `OData-EntityId`. */
  async create(
    accessToken: string,
    args: { entitySet: string; attributes: Record<string, unknown> },
    options: DataverseCallOptions = {},
  ): Promise<string> {
    const set = entitySet(args?.entitySet);
    if (typeof args.attributes !== 'object' || args.attributes === null || Array.isArray(args.attributes))
      throw invalidOptions('attributes must be an object');
    const res = await this.#send(
      accessToken,
      'Create',
      'POST',
      set,
      JSON.stringify(args.attributes),
      options,
    );
    const entityId = res.headers?.['odata-entityid'] ?? '';
    const id = /\(([0-9a-fA-F-]{36})\)\s*$/.exec(entityId)?.[1];
    if (!id)
      throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', 'Create answered without an OData-EntityId', {
        operation: 'Create',
      });
    return id.toLowerCase();
  }

  /** Reads one record, with the formatted values (the names of lookups) as annotations. */
  async retrieve(
    accessToken: string,
    args: { entitySet: string; id: string; select?: string[] },
    options: DataverseCallOptions = {},
  ): Promise<DataverseRecord> {
    const set = entitySet(args?.entitySet);
    const id = requireGuid(args.id, 'id');
    const select = args.select?.length ? `?$select=${args.select.map(encodeURIComponent).join(',')}` : '';
    const res = await this.#send(
      accessToken,
      'Retrieve',
      'GET',
      `${set}(${id})${select}`,
      undefined,
      options,
      { prefer: READ_ANNOTATIONS },
    );
    return json(res) as DataverseRecord;
  }

  /**
   * Updates the given columns of one record: `PATCH` with `If-Match: *`, so that a missing record is a 404
   * (0x80040217) and not created (a PATCH without it is an upsert, §13.5).
   */
  async update(
    accessToken: string,
    args: { entitySet: string; id: string; attributes: Record<string, unknown> },
    options: DataverseCallOptions = {},
  ): Promise<void> {
    const set = entitySet(args?.entitySet);
    const id = requireGuid(args.id, 'id');
    if (typeof args.attributes !== 'object' || args.attributes === null || Array.isArray(args.attributes))
      throw invalidOptions('attributes must be an object');
    await this.#send(
      accessToken,
      'Update',
      'PATCH',
      `${set}(${id})`,
      JSON.stringify(args.attributes),
      options,
      {
        'if-match': '*',
      },
    );
  }

  /**
   * The environment's first `top` users (`systemusers`, by `$top`): people and application users alike, each with
   * its Entra object id and application id where it has them. Onboarding picks a person to act for from them.
   */
  async listUsers(
    accessToken: string,
    args: { top: number; peopleOnly?: boolean },
    options: CallOptions = {},
  ): Promise<DataverseUser[]> {
    const top = args?.top;
    if (!Number.isInteger(top) || top < 1 || top > 5000)
      throw invalidOptions('top must be a whole number from 1 to 5000');
    // People: enabled, signed in through Entra ID, not an application user. The service filters, so that `top`
    // counts people only.
    const people = args.peopleOnly
      ? `&$filter=${encodeURIComponent('isdisabled eq false and applicationid eq null and azureactivedirectoryobjectid ne null')}`
      : '';
    const res = await this.#send(
      accessToken,
      'RetrieveMultiple',
      'GET',
      `systemusers?$select=systemuserid,fullname,isdisabled,azureactivedirectoryobjectid,applicationid${people}&$top=${top}`,
      undefined,
      options,
    );
    return userRows(json(res)).flatMap((row) => {
      const user = toUser(row);
      return user ? [user] : [];
    });
  }

  /**
   * The environment's user with this Entra object id (`systemusers?$filter=azureactivedirectoryobjectid eq …`):
   * its systemuserid, full name and whether it is disabled.
   *
   * @throws CrmAuthError ERR_CRM_OBJECT_NOT_FOUND when no user of the environment has it.
   */
  async findUserByEntraObjectId(
    accessToken: string,
    entraObjectId: string,
    options: CallOptions = {},
  ): Promise<{ userId: string; fullName: string | null; disabled: boolean }> {
    const oid = requireGuid(entraObjectId, 'entraObjectId');
    const res = await this.#send(
      accessToken,
      'RetrieveMultiple',
      'GET',
      `systemusers?$select=systemuserid,fullname,isdisabled&$filter=azureactivedirectoryobjectid%20eq%20${oid}`,
      undefined,
      options,
    );
    const row = userRows(json(res))[0];
    if (!row) {
      throw new CrmAuthError(
        'ERR_CRM_OBJECT_NOT_FOUND',
        `no user of the environment has the Entra object id ${oid}`,
        { operation: 'RetrieveMultiple', notExecuted: true },
      );
    }
    const user = toUser(row);
    if (!user)
      throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', 'a systemuser came back without a GUID systemuserid', {
        operation: 'RetrieveMultiple',
      });
    return { userId: user.userId, fullName: user.fullName, disabled: user.disabled };
  }

  async delete(
    accessToken: string,
    args: { entitySet: string; id: string },
    options: DataverseCallOptions = {},
  ): Promise<void> {
    const set = entitySet(args?.entitySet);
    await this.#send(
      accessToken,
      'Delete',
      'DELETE',
      `${set}(${requireGuid(args.id, 'id')})`,
      undefined,
      options,
    );
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#transport.close();
  }

  async #send(
    accessToken: string,
    operation: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body: string | undefined,
    options: DataverseCallOptions,
    extra: Record<string, string> = {},
  ): Promise<TransportResponse> {
    nonEmptyString(accessToken, 'accessToken');
    const headers: Record<string, string> = {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json',
      'odata-version': '4.0',
      'odata-maxversion': '4.0',
      ...extra,
      ...impersonation(options.onBehalfOf),
      ...(body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    };
    const url = `${this.apiUrl}/${path}`;
    return measureRoundTrip(this.#onRoundTrip, 'dataverse', operation, async () => {
      const res = await this.#transport.post({
        url,
        method,
        headers,
        body: body ?? '',
        operation,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (res.status >= 200 && res.status < 300) return res;
      throw webApiError(res, operation, `${this.apiUrl}/${path.split('?')[0]}`);
    });
  }
}

function entitySet(value: unknown): string {
  const set = nonEmptyString(value, 'entitySet');
  if (!/^[a-z_][a-z0-9_]*$/i.test(set))
    throw invalidOptions('entitySet must be an entity set name, e.g. accounts');
  return set;
}

/** The impersonation header: CallerObjectId for an Entra object id, MSCRMCallerID for a systemuserid. */
function impersonation(value: OnBehalfOf | undefined): Record<string, string> {
  const onBehalfOf = checkOnBehalfOf('dataverse', value);
  if (onBehalfOf === undefined) return {};
  if ('entraObjectId' in onBehalfOf)
    return { callerobjectid: requireGuid(onBehalfOf.entraObjectId, 'onBehalfOf.entraObjectId') };
  if ('userId' in onBehalfOf) return { mscrmcallerid: requireGuid(onBehalfOf.userId, 'onBehalfOf.userId') };
  throw invalidOptions('onBehalfOf must be { entraObjectId } or { userId }');
}

/** The rows of a collection reply (`{value: [...]}`), or ERR_UNEXPECTED_MESSAGE. */
function userRows(body: unknown): Array<Record<string, unknown>> {
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value))
    throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', 'systemusers answered without a value array', {
      operation: 'RetrieveMultiple',
    });
  return value.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
}

/** A systemuser row as a DataverseUser; undefined without a GUID systemuserid. */
function toUser(row: Record<string, unknown>): DataverseUser | undefined {
  const guid = (v: unknown) => (typeof v === 'string' ? (toGuid(v) ?? null) : null);
  const userId = guid(row.systemuserid);
  if (!userId) return undefined;
  return {
    userId,
    fullName: typeof row.fullname === 'string' ? row.fullname : null,
    entraObjectId: guid(row.azureactivedirectoryobjectid),
    applicationId: guid(row.applicationid),
    disabled: row.isdisabled === true,
  };
}

function json(res: TransportResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', 'The Web API answered with a body that is not JSON', {
      httpStatus: res.status,
    });
  }
}

/** An error reply as a CrmAuthError: 401 → expired token, 429 → throttled, `{error:{code}}` → the CRM code. */
function webApiError(res: TransportResponse, operation: string, url: string): CrmAuthError {
  let code: string | undefined;
  let message = '';
  try {
    const e = (JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof e?.code === 'string') code = normalizeFaultCode(e.code);
    if (typeof e?.message === 'string') message = e.message;
  } catch {
    /* not JSON: an HTML error page, a proxy */
  }
  const fields = {
    httpStatus: res.status,
    operation,
    url,
    ...(code ? { faultCode: code } : {}),
    ...(message ? { faultDescription: message } : {}),
    ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}),
  };
  if (res.status === 401)
    return new CrmAuthError(
      'ERR_CRM_EXPIRED_TICKET',
      `Dataverse refused the access token (401): ${message || 'expired or invalid'}`,
      {
        ...fields,
        notExecuted: true,
      },
    );
  if (res.status === 429 || code === undefined)
    return new CrmAuthError(
      'ERR_HTTP_STATUS',
      `Dataverse answered HTTP ${res.status}${message ? `: ${message}` : ''}`,
      {
        ...fields,
        ...(res.status === 429 ? { notExecuted: true } : {}),
      },
    );
  const errorCode = WEB_API_CODES[code] ?? CRM_FAULT_CODES[code]?.errorCode ?? 'ERR_CRM_FAULT';
  return new CrmAuthError(errorCode, `Dataverse refused ${operation}: ${message || code}`, {
    ...fields,
    notExecuted: true,
  });
}
