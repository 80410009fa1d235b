import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { GroupCommit } from './group-commit';
import type { LedgerCursor, LedgerFilters, LedgerRow } from './ledger-query';
import {
  type CallCompletion,
  type CallCounts,
  type ChainSealer,
  type LedgerChainCursor,
  type LedgerExportCursor,
  LedgerRepository,
  type LedgerStart,
  type PendingCall,
} from './ledger.repository';

export type { CallCounts, LedgerStart };

/**
 * The ledger of CRM calls. A row is written as `pending` BEFORE the call is sent and completed
 * after it, so a crash between the two leaves a visible pending row (resolved later by
 * reconciliation), never a silent gap.
 *
 * The ledger's one door for the other contexts: the onboarding test call writes through it, the audit
 * explorer searches and exports through it, and the metrics count its rows through it. The SQL is in
 * LedgerRepository.
 */
@Injectable()
export class LedgerService {
  // Concurrent calls share statements and commits (group commit); each still waits for its own row.
  private readonly starts = new GroupCommit<PendingCall>((rows) =>
    this.repo.insertPending(rows, this.config.instanceId),
  );
  private readonly completions = new GroupCommit<CallCompletion>((rows) => this.repo.complete(rows));

  constructor(
    private readonly repo: LedgerRepository,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'instanceId'>,
  ) {}

  /** Writes the pending row; resolves once it is committed, with its id. */
  async begin(s: LedgerStart): Promise<string> {
    const id = randomUUID();
    await this.starts.add({ ...s, id });
    return id;
  }

  async complete(
    orgId: string,
    id: string,
    r: { recordId?: string | null; latencyMs: number },
  ): Promise<void> {
    await this.completions.add({
      orgId,
      id,
      outcome: 'completed',
      latencyMs: r.latencyMs,
      recordId: r.recordId ?? null,
      errorCode: null,
      errorMessage: null,
    });
  }

  /** See LedgerRepository.completeRecovered: a recovered Create's pending row, completed with its record. */
  completeRecovered(orgId: string, id: string, recordId: string): Promise<void> {
    return this.repo.completeRecovered(orgId, id, recordId);
  }

  async fail(
    orgId: string,
    id: string,
    r: { errorCode: string; errorMessage: string; latencyMs: number },
  ): Promise<void> {
    await this.completions.add({
      orgId,
      id,
      outcome: 'failed',
      latencyMs: r.latencyMs,
      recordId: null,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage.slice(0, 500),
    });
  }

  // ---- reads, for the audit explorer, the overview and the metrics

  /** One page of the matching calls with their org name and CRM stamps, newest first, after `cursor`. */
  search(filters: LedgerFilters, page: { cursor?: LedgerCursor; limit: number }): Promise<LedgerRow[]> {
    return this.repo.search(filters, page);
  }

  /**
   * A server-side cursor over every matching call, in one read-only snapshot on a connection of its own.
   * The caller fetches, commits once it has read everything, and always closes it.
   */
  openExportCursor(filters: LedgerFilters): Promise<LedgerExportCursor> {
    return this.repo.openExportCursor(filters);
  }

  // ---- the hash chain (ledger-chain/ seals and verifies through these)

  /** The orgs that have final rows not sealed yet. */
  orgsWithUnsealedRows(): Promise<string[]> {
    return this.repo.orgsWithUnsealedRows();
  }

  /** The orgs that have a chain (a head or a sealed row). */
  orgsWithChain(): Promise<string[]> {
    return this.repo.orgsWithChain();
  }

  /** Seals up to `limit` of the org's final rows after its chain head, holding the head locked; how many it sealed. */
  sealNext(orgId: string, limit: number, seal: ChainSealer): Promise<number> {
    return this.repo.sealNext(orgId, limit, seal);
  }

  /** A cursor over the org's sealed rows in chain order, with its head, in one read-only snapshot; close it. */
  openChainCursor(orgId: string): Promise<LedgerChainCursor> {
    return this.repo.openChainCursor(orgId);
  }

  /** Each org's calls and failed calls of the last 24 hours, by org id; an org without a call is absent. */
  callCounts24h(): Promise<Map<string, CallCounts>> {
    return this.repo.callCounts24h();
  }

  /** The planner's estimate of the ledger's rows (free to read); -1 before the table was first analysed. */
  estimatedRowCount(): Promise<number> {
    return this.repo.estimatedRowCount();
  }

  /** The exact number of rows, counting at most `cap`. */
  countRowsUpTo(cap: number): Promise<number> {
    return this.repo.countRowsUpTo(cap);
  }
}
