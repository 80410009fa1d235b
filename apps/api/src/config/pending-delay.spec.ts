import { MAX_EARLY_EXPIRIES } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { SESSION_CALL_BOUNDS } from '../tickets/tickets.service';
import { DEFAULT_RECONCILE_PENDING_AFTER_SEC, loadConfig } from './app-config';

describe('the default pending delay (ONBEHALF_RECONCILE_PENDING_AFTER_SEC)', () => {
  it('exceeds the slowest live call the session bounds allow (ticket retries, early expiries, a read retried once)', () => {
    const b = SESSION_CALL_BOUNDS;
    expect(b.earlyExpiries).toBe(MAX_EARLY_EXPIRIES);
    const slowestCallMs =
      (b.refreshTimeoutMs + b.timeoutMs) * (1 + b.ticketRetries + b.earlyExpiries) +
      b.transientDelayMs +
      b.timeoutMs;
    expect(slowestCallMs).toBe(992_000);
    expect(DEFAULT_RECONCILE_PENDING_AFTER_SEC * 1000).toBeGreaterThan(slowestCallMs);
  });

  it('is what the configuration holds when the variable is unset', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      ONBEHALF_KEK_test: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(config.reconcilePendingAfterSec).toBe(DEFAULT_RECONCILE_PENDING_AFTER_SEC);
  });
});
