import { CrmAuthError, isCrmAuthError } from '../errors';

/**
 * The ticket store and the refresh lock are the caller's (the API's are Postgres): when one of them
 * fails, the fault is in this process's own infrastructure, not in the CRM. Such failures are
 * reported as ERR_TICKET_STORE so that nobody counts them as a CRM outage (a transport code would
 * open the API's per-org breaker and blame CRM Online for a local database).
 */
export async function ticketStoreCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isCrmAuthError(err, 'ERR_TICKET_STORE')) throw err;
    throw new CrmAuthError('ERR_TICKET_STORE', `the ticket store failed (${what})`, { cause: err });
  }
}

/**
 * Runs `fn` under `lock`. What `fn` throws passes through unchanged (it is the refresh's own
 * failure); anything else the lock throws (taking or releasing it) is ERR_TICKET_STORE.
 */
export async function underRefreshLock<T>(
  lock: <R>(key: string, fn: () => Promise<R>) => Promise<R>,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  let fromFn = false;
  try {
    return await lock(key, async () => {
      try {
        return await fn();
      } catch (err) {
        fromFn = true;
        throw err;
      }
    });
  } catch (err) {
    if (fromFn || isCrmAuthError(err)) throw err;
    throw new CrmAuthError('ERR_TICKET_STORE', 'the refresh lock failed', { cause: err });
  }
}
