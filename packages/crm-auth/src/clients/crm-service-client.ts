import { buildCreateRequest, parseCreateResponse } from '../messages/crm/create';
import { buildDeleteRequest, parseDeleteResponse } from '../messages/crm/delete';
import type { QueryExpression } from '../messages/crm/query-expression';
import { buildRetrieveRequest, parseRetrieveResponse } from '../messages/crm/retrieve';
import {
  buildRetrieveMultipleRequest,
  parseRetrieveMultipleResponse,
} from '../messages/crm/retrieve-multiple';
import { buildUpdateRequest, parseUpdateResponse } from '../messages/crm/update';
import { buildWhoAmIRequest, parseWhoAmIResponse } from '../messages/crm/whoami';
import type { CrmAuthenticationToken, Entity, SoapRequest } from '../messages/types';
import type { HttpsTransport } from '../transport/https-transport';
import { sendSoap } from '../transport/send-soap';
import { httpsUrl, requireObject } from '../option-checks';
import { transportFor, type ClientCommonOptions } from './client-options';
import { measureRoundTrip, type CallOptions, type RoundTrip } from './round-trip';

/** Options of {@link CrmServiceClient}. */
export interface CrmServiceClientOptions extends ClientCommonOptions {
  /** The org's `CrmServiceUrl` from its OrganizationDetail. */
  url: string;
}

/** What WhoAmI answers. */
export interface WhoAmIResult {
  userId: string;
  businessUnitId: string;
  organizationId: string;
}

/** What RetrieveMultiple answers: one page. */
export interface RetrieveMultipleResult {
  moreRecords: boolean;
  pagingCookie: string | null;
  entities: Entity[];
}

/** Arguments of Retrieve. */
export interface RetrieveArgs {
  entityName: string;
  id: string;
  columns: string[] | 'all';
}

/** The CrmService operations a {@link CrmSession} uses (implemented by {@link CrmServiceClient}, or a fake). */
export interface CrmServiceApi {
  whoAmI(token: CrmAuthenticationToken, options?: CallOptions): Promise<WhoAmIResult>;
  retrieve(
    token: CrmAuthenticationToken,
    args: RetrieveArgs,
    options?: CallOptions,
  ): Promise<{ entity: Entity }>;
  retrieveMultiple(
    token: CrmAuthenticationToken,
    query: QueryExpression,
    options?: CallOptions,
  ): Promise<RetrieveMultipleResult>;
  create(token: CrmAuthenticationToken, entity: Entity, options?: CallOptions): Promise<{ id: string }>;
  update(token: CrmAuthenticationToken, entity: Entity, options?: CallOptions): Promise<void>;
  delete(token: CrmAuthenticationToken, entityName: string, id: string, options?: CallOptions): Promise<void>;
  close?(): Promise<void>;
}

/**
 * CrmService 2007 with a `CrmAuthenticationToken` header: one round trip per call. It sends a
 * call once; retry policy (expired tickets, idempotency) lives in {@link CrmSession}.
 */
export class CrmServiceClient implements CrmServiceApi {
  readonly #url: string;
  readonly #transport: HttpsTransport;
  readonly #owned: boolean;
  readonly #onRoundTrip: ((trip: RoundTrip) => void) | undefined;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: CrmServiceClientOptions) {
    requireObject(options, 'CrmServiceClient options');
    this.#url = httpsUrl(options.url, 'url');
    const { transport, owned } = transportFor(options);
    this.#transport = transport;
    this.#owned = owned;
    this.#onRoundTrip = options.onRoundTrip;
  }

  /**
   * Execute(WhoAmI): the authenticated caller. With CallerId set, `userId` is still the service
   * account, not the user acted for (docs/protocol.md, WhoAmI).
   */
  whoAmI(token: CrmAuthenticationToken, options: CallOptions = {}): Promise<WhoAmIResult> {
    return this.#call('Execute', 'WhoAmI', () => buildWhoAmIRequest(token), parseWhoAmIResponse, options);
  }

  /** Retrieve one record by id. */
  retrieve(
    token: CrmAuthenticationToken,
    args: RetrieveArgs,
    options: CallOptions = {},
  ): Promise<{ entity: Entity }> {
    return this.#call(
      'Retrieve',
      'Retrieve',
      () => buildRetrieveRequest(token, args),
      parseRetrieveResponse,
      options,
    );
  }

  /** RetrieveMultiple with a QueryExpression: one page. */
  retrieveMultiple(
    token: CrmAuthenticationToken,
    query: QueryExpression,
    options: CallOptions = {},
  ): Promise<RetrieveMultipleResult> {
    return this.#call(
      'RetrieveMultiple',
      'RetrieveMultiple',
      () => buildRetrieveMultipleRequest(token, { query }),
      parseRetrieveMultipleResponse,
      options,
    );
  }

  /** Create: the new record's id. */
  create(token: CrmAuthenticationToken, entity: Entity, options: CallOptions = {}): Promise<{ id: string }> {
    return this.#call(
      'Create',
      'Create',
      () => buildCreateRequest(token, { entity }),
      parseCreateResponse,
      options,
    );
  }

  /** Update: the entity carries its primary key. */
  async update(token: CrmAuthenticationToken, entity: Entity, options: CallOptions = {}): Promise<void> {
    await this.#call(
      'Update',
      'Update',
      () => buildUpdateRequest(token, { entity }),
      parseUpdateResponse,
      options,
    );
  }

  /** Delete one record. */
  async delete(
    token: CrmAuthenticationToken,
    entityName: string,
    id: string,
    options: CallOptions = {},
  ): Promise<void> {
    await this.#call(
      'Delete',
      'Delete',
      () => buildDeleteRequest(token, { entityName, id }),
      parseDeleteResponse,
      options,
    );
  }

  /** Closes the connections (when the client made its own transport). */
  async close(): Promise<void> {
    if (this.#owned) await this.#transport.close();
  }

  async #call<T>(
    soapOperation: string,
    metricName: string,
    build: () => SoapRequest,
    parse: (xml: string) => T,
    options: CallOptions,
  ): Promise<T> {
    const request = build();
    return measureRoundTrip(this.#onRoundTrip, 'crm', metricName, () =>
      sendSoap(this.#transport, {
        url: this.#url,
        request,
        parse: (xml) => parse(xml),
        operation: soapOperation === 'Execute' ? metricName : soapOperation,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }
}
