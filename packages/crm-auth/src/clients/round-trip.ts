import { isCrmAuthError } from '../errors';
import type { CrmAuthErrorCode } from '../errors';

/** Which remote service a round trip went to. */
export type RemoteService = 'wlid' | 'discovery' | 'crm' | 'entra' | 'dataverse';

/** One remote call, for metrics. Carries no ticket, body or key. */
export interface RoundTrip {
  service: RemoteService;
  /** The SOAP operation, e.g. `RetrieveCrmTicket`, `Create`, `RequestSecurityToken`. */
  operation: string;
  durationMs: number;
  ok: boolean;
  /** The error code when not ok. */
  errorCode?: CrmAuthErrorCode;
}

/** Per-call options every client method accepts. */
export interface CallOptions {
  /** Aborts the call (ERR_ABORTED). The client's own timeout applies as well. */
  signal?: AbortSignal;
}

/** Runs one remote call and reports it to `hook`; a hook that throws is ignored (metrics must not break calls). */
export async function measureRoundTrip<T>(
  hook: ((trip: RoundTrip) => void) | undefined,
  service: RemoteService,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    report(hook, { service, operation, durationMs: performance.now() - started, ok: true });
    return result;
  } catch (err) {
    report(hook, {
      service,
      operation,
      durationMs: performance.now() - started,
      ok: false,
      ...(isCrmAuthError(err) ? { errorCode: err.code } : {}),
    });
    throw err;
  }
}

function report(hook: ((trip: RoundTrip) => void) | undefined, trip: RoundTrip): void {
  if (!hook) return;
  try {
    hook(trip);
  } catch {
    // A failing metrics hook must not turn a successful call into a failure.
  }
}
