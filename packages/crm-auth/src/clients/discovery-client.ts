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
import { httpsUrl, nonEmptyString, requireObject } from '../option-checks';
import { transportFor, type ClientCommonOptions } from './client-options';
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

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: DiscoveryClientOptions) {
    requireObject(options, 'DiscoveryClient options');
    this.#url = httpsUrl(options.url, 'url');
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
    nonEmptyString(passportTicket, 'passportTicket');
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
    nonEmptyString(organizationName, 'organizationName');
    nonEmptyString(passportTicket, 'passportTicket');
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
    nonEmptyString(args?.externalId, 'externalId');
    nonEmptyString(args.organizationName, 'organizationName');
    nonEmptyString(args.passportTicket, 'passportTicket');
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
