import {
  buildRetrieveCrmTicketRequest,
  parseRetrieveCrmTicketResponse,
} from '../messages/discovery/retrieve-crm-ticket';
import {
  buildRetrieveCrmUserIdByExternalIdRequest,
  parseRetrieveCrmUserIdByExternalIdResponse,
} from '../messages/discovery/retrieve-crm-user-id-by-external-id';
import {
  buildRetrieveOrganizationsRequest,
  parseRetrieveOrganizationsResponse,
} from '../messages/discovery/retrieve-organizations';
import {
  buildRetrievePolicyRequest,
  parseRetrievePolicyResponse,
} from '../messages/discovery/retrieve-policy';
import type { OrganizationDetail, SoapRequest } from '../messages/types';
import type { HttpsTransport } from '../transport/https-transport';
import { sendSoap } from '../transport/send-soap';
import { checkHttpsUrl, transportFor, type ClientCommonOptions } from './client-options';
import { measureRoundTrip, type CallOptions, type RoundTrip } from './round-trip';

/** Options of {@link DiscoveryClient}. */
export interface DiscoveryClientOptions extends ClientCommonOptions {
  /** `https://HOST/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx`. */
  url: string;
}

/** A CRM ticket for one org. */
export interface CrmTicket {
  /** Secret. */
  crmTicket: string;
  expirationDate: Date;
  organizationDetail: OrganizationDetail;
}

/** The discovery operations a {@link CrmSession} needs (implemented by {@link DiscoveryClient}, or a fake). */
export interface DiscoveryApi {
  retrievePolicy(options?: CallOptions): Promise<{ policy: string }>;
  retrieveOrganizations(
    passportTicket: string,
    options?: CallOptions,
  ): Promise<{ organizationDetails: OrganizationDetail[] }>;
  retrieveCrmTicket(
    organizationName: string,
    passportTicket: string,
    options?: CallOptions,
  ): Promise<CrmTicket>;
  retrieveCrmUserIdByExternalId(
    args: { externalId: string; organizationName: string; passportTicket: string },
    options?: CallOptions,
  ): Promise<{ crmUserId: string }>;
  close?(): Promise<void>;
}

/** The CRM discovery service (Passport): policy, organizations, CRM tickets, user ids. */
export class DiscoveryClient implements DiscoveryApi {
  readonly #url: string;
  readonly #transport: HttpsTransport;
  readonly #owned: boolean;
  readonly #onRoundTrip: ((trip: RoundTrip) => void) | undefined;

  /** @throws TypeError on bad options. */
  constructor(options: DiscoveryClientOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('DiscoveryClient options must be an object');
    this.#url = checkHttpsUrl(options.url, 'url');
    const { transport, owned } = transportFor(options);
    this.#transport = transport;
    this.#owned = owned;
    this.#onRoundTrip = options.onRoundTrip;
  }

  /** RetrievePolicy: the Windows Live policy to request the Passport ticket under (e.g. `MBI_SSL`). */
  retrievePolicy(options: CallOptions = {}): Promise<{ policy: string }> {
    return this.#call(
      'RetrievePolicy',
      () => buildRetrievePolicyRequest(),
      parseRetrievePolicyResponse,
      options,
    );
  }

  /** RetrieveOrganizations: the orgs the Passport ticket's account belongs to. */
  async retrieveOrganizations(
    passportTicket: string,
    options: CallOptions = {},
  ): Promise<{ organizationDetails: OrganizationDetail[] }> {
    requireText(passportTicket, 'passportTicket');
    return this.#call(
      'RetrieveOrganizations',
      () => buildRetrieveOrganizationsRequest({ passportTicket }),
      parseRetrieveOrganizationsResponse,
      options,
    );
  }

  /** RetrieveCrmTicket: a CRM ticket for one org (by unique name), with its expiry and OrganizationDetail. */
  async retrieveCrmTicket(
    organizationName: string,
    passportTicket: string,
    options: CallOptions = {},
  ): Promise<CrmTicket> {
    requireText(organizationName, 'organizationName');
    requireText(passportTicket, 'passportTicket');
    return this.#call(
      'RetrieveCrmTicket',
      () => buildRetrieveCrmTicketRequest({ organizationName, passportTicket }),
      parseRetrieveCrmTicketResponse,
      options,
    );
  }

  /** RetrieveCrmUserIdByExternalId: the systemuserid of a Live user (HexPUID) in one org. */
  async retrieveCrmUserIdByExternalId(
    args: { externalId: string; organizationName: string; passportTicket: string },
    options: CallOptions = {},
  ): Promise<{ crmUserId: string }> {
    requireText(args?.externalId, 'externalId');
    requireText(args.organizationName, 'organizationName');
    requireText(args.passportTicket, 'passportTicket');
    return this.#call(
      'RetrieveCrmUserIdByExternalId',
      () => buildRetrieveCrmUserIdByExternalIdRequest(args),
      parseRetrieveCrmUserIdByExternalIdResponse,
      options,
    );
  }

  /** Closes the connections (when the client made its own transport). */
  async close(): Promise<void> {
    if (this.#owned) await this.#transport.close();
  }

  async #call<T>(
    operation: string,
    build: () => SoapRequest,
    parse: (xml: string) => T,
    options: CallOptions,
  ): Promise<T> {
    const request = build();
    return measureRoundTrip(this.#onRoundTrip, 'discovery', operation, () =>
      sendSoap(this.#transport, {
        url: this.#url,
        request,
        parse: (xml) => parse(xml),
        operation,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
}
