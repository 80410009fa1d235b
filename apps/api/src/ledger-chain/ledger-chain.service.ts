import { Injectable, Logger } from '@nestjs/common';
import { notFound } from '../common/domain-exception';
import { LedgerService } from '../crm/ledger.service';
import { JobsService } from '../jobs/jobs.service';
import { OrgDirectory } from '../orgs/org-directory';
import { sealAfter } from './chain-hash';
import { verifyFromCursor } from './chain-reader';
import type { ChainVerdict } from './chain-verifier';

/** The periodic sealer's job name. */
export const LEDGER_SEAL_JOB = 'ledger-seal';
/** How often the sealer runs: a final row is sealed within about this long (plus the job runner's polling). */
export const SEAL_EVERY_MS = 5_000;
/** Rows per sealing transaction: one head lock, one SELECT, one UPDATE of this many rows. */
export const SEAL_BATCH = 1_000;
/** A run stops starting new batches after this long (the backlog of a first run goes on at the next run). */
const SEAL_RUN_BUDGET_MS = 30_000;

/** One org's verification, as the API and `npm run audit:verify` report it. */
export interface OrgChainVerdict extends ChainVerdict {
  orgId: string;
}

/**
 * The ledger's hash chain: seals each org's final rows into its chain (a job every few seconds, on whichever
 * instance fetches it; the head lock makes concurrent sealers take turns), and verifies chains.
 */
@Injectable()
export class LedgerChainService {
  private readonly logger = new Logger('ledger-chain');
  /** The verification running for each org on this instance. */
  private readonly verifying = new Map<string, Promise<OrgChainVerdict>>();

  constructor(
    private readonly ledger: LedgerService,
    private readonly orgs: OrgDirectory,
    jobs: JobsService,
  ) {
    jobs.register({ name: LEDGER_SEAL_JOB, everyMs: SEAL_EVERY_MS, run: () => this.sealAll() });
  }

  /**
   * Seals every org's final rows (each org up to the run's time budget); how many per org. An org whose sealing
   * fails (its batch rolls back) is logged, naming the org and the error, and reported as `{ error }`; the orgs
   * after it are still sealed, and the failing one is tried again at the next run.
   */
  async sealAll(): Promise<Record<string, number | { error: string }>> {
    const started = Date.now();
    const out: Record<string, number | { error: string }> = {};
    for (const orgId of await this.ledger.orgsWithUnsealedRows()) {
      try {
        out[orgId] = await this.sealOrg(orgId, started + SEAL_RUN_BUDGET_MS);
      } catch (err) {
        const error = describeError(err);
        this.logger.error(`ledger chain sealing of org ${orgId} failed: ${error}`);
        out[orgId] = { error };
      }
    }
    return out;
  }

  /** Seals the org's final rows, batch after batch, until none is left (or the deadline passed); how many. */
  async sealOrg(orgId: string, deadline = Infinity): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.ledger.sealNext(orgId, SEAL_BATCH, sealAfter);
      total += n;
      if (n < SEAL_BATCH || Date.now() > deadline) return total;
    }
  }

  /**
   * Verifies one org's chain (404 ORG_NOT_FOUND for an unknown org). One verification per org at a time on this
   * instance: a request that comes while one runs gets that one's verdict (each holds a connection and a snapshot
   * while it reads the whole chain).
   */
  async verify(orgId: string): Promise<OrgChainVerdict> {
    const running = this.verifying.get(orgId);
    if (running) return running;
    const p = (async () => {
      if (!(await this.orgs.find(orgId))) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
      return this.verifyChain(orgId);
    })();
    this.verifying.set(orgId, p);
    try {
      return await p;
    } finally {
      this.verifying.delete(orgId);
    }
  }

  private async verifyChain(orgId: string): Promise<OrgChainVerdict> {
    const verdict = await verifyFromCursor(() => this.ledger.openChainCursor(orgId));
    if (verdict.break) {
      const b = verdict.break;
      this.logger.warn(
        `ledger chain of org ${orgId} breaks at seq ${b.seq} (row ${b.rowId ?? 'gone'}): ${b.kind}, ${b.detail}`,
      );
    }
    return { orgId, ...verdict };
  }
}

/** An error for the log: its Postgres code (SQLSTATE) when it has one, and its message. */
function describeError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code} ${text}` : text;
}
