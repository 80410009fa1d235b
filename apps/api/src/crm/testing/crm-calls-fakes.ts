import type { RequestContext } from '../../common/principal';
import type { Attempt, IdempotencyService, KeyClaim, KeyReply } from '../../idempotency/idempotency.service';
import type { MetricsService } from '../../metrics/metrics.service';
import type { OrgDirectory } from '../../orgs/org-directory';
import type { TicketsService } from '../../tickets/tickets.service';
import type { UserMappingsService } from '../../user-mappings/user-mappings.service';
import { CrmCallsService } from '../crm-calls.service';
import type { LedgerService } from '../ledger.service';

/**
 * Fakes for the unit specs of CrmCallsService (crm-calls.dataverse*.spec.ts, crm-calls.keyed-ledger-rows.spec.ts):
 * a Dataverse org whose OrgSession (runOrg) records what it is sent and answers through the spec's handler, while
 * CRM 4.0's session (run) refuses; a ledger that records the rows it begins; metrics that do nothing; and a keyed
 * (idempotency) runner that hands the work one attempt. Test code only: tsconfig.build.json leaves
 * src/**\/testing/** out of dist.
 */

export const DV = '11111111-0000-4000-8000-00000000000d';
export const APP = '22222222-0000-4000-8000-00000000000a';
export const JON = '33333333-0000-4000-8000-00000000000f';
export const JON_OID = 'b8c9d0e1-f2a3-4b4c-9d5e-6f7a8b9c0d1e';
export const ctx = {
  principal: null,
  requestId: 'req-1',
  ip: null,
  userAgent: null,
} as unknown as RequestContext;

export interface SentOp {
  op: string;
  args: unknown[];
}

/** Metrics that record nothing. */
export const fakeMetrics = () =>
  ({ observeCall: () => undefined, incFault: () => undefined }) as unknown as MetricsService;

/** An IdempotencyService whose run hands the work one attempt (a first one unless `attempt` says otherwise). */
export const fakeKeys = (attempt: Partial<Attempt> = {}) =>
  ({
    run: async (c: KeyClaim, work: (a: Attempt) => Promise<KeyReply>) => {
      const r = await work({
        recordId: c.recordId,
        ledgerId: null,
        recovering: false,
        started: async () => undefined,
        ...attempt,
      });
      return { status: r.status, body: r.body, replayed: false };
    },
  }) as unknown as IdempotencyService;

export interface DataverseCallsOptions {
  /** What the OrgSession answers to `op` (called after the call is recorded in `sent`). */
  session: (op: string, args: unknown[]) => unknown;
  /** The org's kind (default: dataverse). */
  kind?: 'crm4' | 'dataverse';
  /** The id ledger.begin answers (default: ledger-1). */
  ledgerId?: string;
  /** ledger.complete (default: does nothing). */
  complete?: (...args: unknown[]) => Promise<unknown>;
  /** ledger.completeRecovered (default: none). */
  completeRecovered?: (...args: unknown[]) => Promise<unknown>;
  /** The user mappings (default: an empty object). */
  mappings?: UserMappingsService;
  /** The idempotency service (default: none passed). */
  keys?: IdempotencyService;
}

/** CrmCallsService on a Dataverse org: `sent` holds what its OrgSession was sent, `begun` the ledger rows begun. */
export function dataverseCalls(opts: DataverseCallsOptions) {
  const sent: SentOp[] = [];
  const begun: Array<Record<string, unknown>> = [];
  const session = new Proxy(
    {},
    {
      get:
        (_t, op: string) =>
        async (...args: unknown[]) => {
          sent.push({ op, args });
          return opts.session(op, args);
        },
    },
  );
  const tickets = {
    run: async () => {
      throw new Error('run() is CRM 4.0 only');
    },
    runOrg: async (_orgId: string, fn: (s: unknown) => Promise<unknown>) => fn(session),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({
      id: DV,
      kind: opts.kind ?? 'dataverse',
      status: 'active',
      friendlyName: 'Contoso DV',
      serviceAccountUserId: APP,
      serviceAccountName: 'ISV app',
    }),
  } as unknown as OrgDirectory;
  const ledgerId = opts.ledgerId ?? 'ledger-1';
  const ledger = {
    begin: async (row: Record<string, unknown>) => {
      begun.push(row);
      return ledgerId;
    },
    complete: opts.complete ?? (async () => undefined),
    fail: async () => undefined,
    ...(opts.completeRecovered ? { completeRecovered: opts.completeRecovered } : {}),
  } as unknown as LedgerService;
  const mappings = opts.mappings ?? ({} as UserMappingsService);
  const svc = opts.keys
    ? new CrmCallsService(orgs, tickets, mappings, ledger, fakeMetrics(), opts.keys)
    : new CrmCallsService(orgs, tickets, mappings, ledger, fakeMetrics());
  return { svc, sent, begun };
}
