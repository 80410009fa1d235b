import { CertificateBundle } from '../certificates/certificate-bundle';
import { WLID } from '../messages/constants';
import {
  buildRequestSecurityTokenRequest,
  parseRequestSecurityTokenResponse,
} from '../messages/wlid/request-security-token';
import { sendSoap } from '../transport/send-soap';
import type { HttpsTransport } from '../transport/https-transport';
import { httpsUrl, invalidOptions, nonEmptyString, requireObject } from '../option-checks';
import { transportFor, type ClientCommonOptions } from './client-options';
import { measureRoundTrip, type CallOptions, type RoundTrip } from './round-trip';

/** Options of {@link WlidClient}. */
export interface WlidClientOptions extends Omit<ClientCommonOptions, 'transport'> {
  /** The STS endpoint, e.g. `https://login.live.com/RST2.srf` or the emulator's `/RST2.srf`. */
  stsUrl: string;
  /** The service account's certificate: presented as the TLS client certificate, nothing else. */
  certificate: CertificateBundle;
  /** The `wsp:AppliesTo` address when a call gives none. Default `crm.dynamics.com`. */
  partnerDomain?: string;
}

/** A Passport ticket from the Windows Live STS. */
export interface PassportTicket {
  /** The `BinarySecurityToken` text. Secret. */
  ticket: string;
  created: Date;
  expires: Date;
}

/** The STS operations a {@link CrmSession} needs (implemented by {@link WlidClient}, or a fake in tests). */
export interface WlidApi {
  requestTicket(args: { policy: string; appliesTo?: string } & CallOptions): Promise<PassportTicket>;
  close?(): Promise<void>;
}

/**
 * Gets Passport tickets from the Windows Live STS (WS-Trust 2005/02 RequestSecurityToken). The
 * service account authenticates by its certificate in the TLS handshake; the RST itself carries
 * no credential (docs/protocol.md §1, §7.5).
 */
export class WlidClient implements WlidApi {
  readonly #stsUrl: string;
  readonly #partnerDomain: string;
  readonly #transport: HttpsTransport;
  readonly #owned: boolean;
  readonly #onRoundTrip: ((trip: RoundTrip) => void) | undefined;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: WlidClientOptions) {
    requireObject(options, 'WlidClient options');
    this.#stsUrl = httpsUrl(options.stsUrl ?? WLID.defaultStsUrl, 'stsUrl');
    if (!(options.certificate instanceof CertificateBundle))
      throw invalidOptions('certificate must be a CertificateBundle');
    this.#partnerDomain = nonEmptyString(options.partnerDomain ?? 'crm.dynamics.com', 'partnerDomain');
    const { transport, owned } = transportFor(options, options.certificate.toTlsOptions());
    this.#transport = transport;
    this.#owned = owned;
    this.#onRoundTrip = options.onRoundTrip;
  }

  /** Asks the STS for a Passport ticket under `policy` (from RetrievePolicy). */
  async requestTicket(args: { policy: string; appliesTo?: string } & CallOptions): Promise<PassportTicket> {
    nonEmptyString(args?.policy, 'policy');
    // The RST names its audience, http://Passport.NET/tb, in wsa:To; the STS URL is only where it is posted.
    const request = buildRequestSecurityTokenRequest({
      policy: args.policy,
      appliesTo: args.appliesTo ?? this.#partnerDomain,
    });
    return measureRoundTrip(this.#onRoundTrip, 'wlid', 'RequestSecurityToken', () =>
      sendSoap(this.#transport, {
        url: this.#stsUrl,
        request,
        parse: (xml) => parseRequestSecurityTokenResponse(xml),
        operation: 'RequestSecurityToken',
        ...(args.signal ? { signal: args.signal } : {}),
      }),
    );
  }

  /** Closes the connections (when the client made its own transport). */
  async close(): Promise<void> {
    if (this.#owned) await this.#transport.close();
  }
}
