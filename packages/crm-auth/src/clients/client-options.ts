import { invalidOptions, optionalFunction } from '../option-checks';
import { HttpsTransport } from '../transport/https-transport';
import type { RoundTrip } from './round-trip';

/** Options every client shares. */
export interface ClientCommonOptions {
  /** Trusted server CAs in PEM; they replace Node's default store. Default: Node's store. */
  ca?: ReadonlyArray<string>;
  /** Per-call limit in ms. Default 30 000. */
  timeoutMs?: number;
  /** Called after every round trip, for metrics. */
  onRoundTrip?: (trip: RoundTrip) => void;
  /**
   * A transport to share (one undici Agent per trust and client certificate). The client does
   * not close a transport it was given.
   */
  transport?: HttpsTransport;
}

/**
 * Checks the shared options (with `src/option-checks.ts`, like every option) and returns the transport
 * to use and whether the client owns it.
 */
export function transportFor(
  options: ClientCommonOptions,
  clientCertificate?: { cert: string; key: string },
): { transport: HttpsTransport; owned: boolean } {
  optionalFunction(options.onRoundTrip, 'onRoundTrip');
  if (options.transport !== undefined) {
    if (!(options.transport instanceof HttpsTransport))
      throw invalidOptions('transport must be an HttpsTransport');
    return { transport: options.transport, owned: false };
  }
  return {
    transport: new HttpsTransport({
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(clientCertificate ? { clientCertificate } : {}),
    }),
    owned: true,
  };
}
