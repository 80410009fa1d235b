import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { conflict, unprocessable } from '../common/domain-exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { decide, IDEMPOTENCY_HEADER, KEY_TTL_MS, type Me, provenNotExecuted } from './idempotency-key';
import { IdempotencyRepository, type KeyRow } from './idempotency.repository';

/** The purge of expired keys, a periodic job. */
export const IDEMPOTENCY_PURGE_JOB = 'idempotency-purge';
const PURGE_EVERY_MS = 60 * 60_000;
/** How often a claim meets a row that goes away before it is read (released or purged) before giving up. */
const CLAIM_TRIES = 3;
/** The shortest lease, whatever ONBEHALF_RECONCILE_PENDING_AFTER_SEC says: it is renewed every third of it. */
export const MIN_LEASE_MS = 30_000;
/**
 * The longest: the lease only has to outlast the gap between two renewals, so a longer one would only keep a
 * crashed instance's key from being recovered for longer (the pending delay is 20 minutes by default).
 */
export const MAX_LEASE_MS = 90_000;
/**
 * How long one attempt may keep renewing its lease: far beyond the slowest call the API can make (ticket work,
 * the CRM timeout and the session's bounded retries take minutes at most). A call still running then is stuck
 * (a request waiting on a dead connection): its key's lease runs out, so a retry can recover it instead of
 * getting 409 IDEMPOTENCY_IN_PROGRESS until the key expires.
 */
export const MAX_RENEWAL_MS = 10 * 60_000;

/** A keyed request, as the call path hands it over. */
export interface KeyClaim {
  orgId: string;
  key: string;
  requestHash: string;
  /** The record id chosen for a Create (sent to CRM as its primary key); null for an Update. */
  recordId: string | null;
}

/** What one attempt at a keyed request knows and may write. */
export interface Attempt {
  /** The record id chosen when the key was first claimed (a recovery keeps it). */
  recordId: string | null;
  /** The ledger row of an earlier attempt's CRM call (a recovery); null on a first attempt. */
  ledgerId: string | null;
  /** This attempt takes over a key whose first call was cut off: what CRM did is not known. */
  recovering: boolean;
  /** Records the ledger row of this attempt's CRM call, before the call is sent. */
  started(ledgerId: string): Promise<void>;
}

/** A reply to keep and replay. */
export interface KeyReply {
  status: number;
  body: Record<string, unknown>;
  recordId?: string | null;
  ledgerId?: string | null;
}

/**
 * Idempotent Create and Update (issue 13, docs/api.md "Idempotent Create and Update"). A key is claimed
 * (`in_flight`, durable) before the CRM call; the reply is kept once the call is done, and a retry with the
 * same key and request gets it again without calling CRM. A retry that finds the key in flight gets
 * 409 IDEMPOTENCY_IN_PROGRESS while its owner may still finish it, and takes it over when the owner is
 * gone: an earlier run of this same instance (same ONBEHALF_INSTANCE_ID, another boot id) or a lease run out.
 * The lease is ONBEHALF_RECONCILE_PENDING_AFTER_SEC (between MIN_LEASE_MS and MAX_LEASE_MS), renewed every third of it while
 * the call runs, so it runs out only once its owner stopped (a crash, a hung process), however long a call takes.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('idempotency');
  /** This run of the process: a restarted instance has the same name and another boot id. */
  readonly me: Me;
  private readonly leaseMs: number;

  constructor(
    private readonly repo: IdempotencyRepository,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'instanceId' | 'reconcilePendingAfterSec'>,
    jobs: JobsService,
  ) {
    this.me = { instance: config.instanceId, boot: randomUUID() };
    this.leaseMs = Math.min(Math.max(config.reconcilePendingAfterSec * 1000, MIN_LEASE_MS), MAX_LEASE_MS);
    jobs.register({
      name: IDEMPOTENCY_PURGE_JOB,
      everyMs: PURGE_EVERY_MS,
      run: async () => ({ purged: await this.purge() }),
    });
  }

  /**
   * Runs `work` once for the key: claims it (or takes over a cut-off one) and keeps the reply; a replay
   * returns the kept reply with `replayed: true`. The key's lease is renewed while `work` runs. A failure
   * releases the key when CRM certainly did nothing (a retry starts afresh), or ends its lease when the outcome
   * is unknown (a retry recovers). A recovering attempt never releases the key: the cut-off call it took over
   * may have created the record under the chosen id, so the next retry must ask CRM for that id again.
   */
  async run(
    claim: KeyClaim,
    work: (a: Attempt) => Promise<KeyReply>,
  ): Promise<{ status: number; body: Record<string, unknown>; replayed: boolean }> {
    const row = await this.own(claim);
    if ('replay' in row) return { ...row.replay, replayed: true };
    const { attempt } = row;
    const a: Attempt = {
      recordId: row.recordId,
      ledgerId: row.recovering ? row.ledgerId : null,
      recovering: row.recovering,
      started: (ledgerId) => this.repo.setLedgerId(claim.orgId, claim.key, attempt, ledgerId),
    };
    const lease = this.keepLease(claim, attempt);
    let reply: KeyReply;
    try {
      reply = await work(a);
    } catch (err) {
      await lease.stop();
      const settle =
        provenNotExecuted(err) && !a.recovering
          ? this.repo.release(claim.orgId, claim.key, attempt)
          : this.repo.abandon(claim.orgId, claim.key, attempt);
      await settle.catch((e: unknown) =>
        // The lease runs out on its own: the key is recovered later instead of at once.
        this.logger.warn(`idempotency key of org ${claim.orgId} not settled after a failure: ${message(e)}`),
      );
      throw err;
    }
    await lease.stop();
    try {
      await this.repo.complete(claim.orgId, claim.key, attempt, {
        status: reply.status,
        body: reply.body,
        recordId: reply.recordId ?? null,
        ledgerId: reply.ledgerId ?? null,
      });
    } catch (err) {
      // CRM did the work: the caller gets its reply. The key stays in flight; a retry after the lease recovers it.
      this.logger.warn(`idempotency key of org ${claim.orgId} not completed: ${message(err)}`);
    }
    return { status: reply.status, body: reply.body, replayed: false };
  }

  /**
   * Renews the attempt's lease every third of it until `stop()` (which also waits for a renewal under way, so
   * that none lands after the key is completed, released or abandoned), for MAX_RENEWAL_MS at most.
   */
  private keepLease(claim: KeyClaim, attempt: number): { stop(): Promise<void> } {
    let renewing: Promise<void> = Promise.resolve();
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started >= MAX_RENEWAL_MS) {
        clearInterval(timer);
        this.logger.warn(
          `idempotency key of org ${claim.orgId}: its call has run ${MAX_RENEWAL_MS / 60_000} min; the lease is no longer renewed`,
        );
        return;
      }
      renewing = renewing
        .then(() => this.repo.renew(claim.orgId, claim.key, attempt, this.leaseMs))
        .catch((e: unknown) =>
          this.logger.warn(`idempotency key of org ${claim.orgId}: lease not renewed: ${message(e)}`),
        );
    }, this.leaseMs / 3);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await renewing;
      },
    };
  }

  /** Claims the key, or decides what to do with the row already there. */
  private async own(
    claim: KeyClaim,
  ): Promise<
    | { replay: { status: number; body: Record<string, unknown> } }
    | { attempt: number; recordId: string | null; ledgerId: string | null; recovering: boolean }
  > {
    for (let i = 0; i < CLAIM_TRIES; i++) {
      const got = await this.repo.claim({
        ...claim,
        ownerInstance: this.me.instance,
        ownerBoot: this.me.boot,
        leaseMs: this.leaseMs,
        ttlMs: KEY_TTL_MS,
      });
      if (!got) continue;
      if (got.claimed)
        return { attempt: got.row.attempt, recordId: got.row.recordId, ledgerId: null, recovering: false };
      const row = got.row;
      switch (decide(row, claim.requestHash, this.me)) {
        case 'reused':
          throw reused();
        case 'replay':
          return { replay: { status: row.replyStatus!, body: row.replyBody! } };
        case 'in-progress':
          throw inProgress();
        case 'recover': {
          const mine = await this.repo.takeOver(claim.orgId, claim.key, row.attempt, {
            ...this.me,
            leaseMs: this.leaseMs,
          });
          // Another retry took it over first (or the first call finished meanwhile): that one answers.
          if (!mine) throw inProgress();
          this.logger.warn(
            `idempotency key of org ${claim.orgId}: taking over attempt ${row.attempt} of ${row.ownerInstance} (cut off before its reply)`,
          );
          return {
            attempt: mine.attempt,
            recordId: mine.recordId,
            ledgerId: mine.ledgerId,
            recovering: true,
          };
        }
      }
    }
    throw inProgress();
  }

  /** Deletes the keys older than 24 hours. */
  purge(): Promise<number> {
    return this.repo.purgeExpired();
  }
}

export type { KeyRow };

const reused = () =>
  unprocessable(
    'IDEMPOTENCY_KEY_REUSED',
    `This ${IDEMPOTENCY_HEADER} was used for another request (body, route, record or caller); use a new key.`,
  );

const inProgress = () =>
  conflict(
    'IDEMPOTENCY_IN_PROGRESS',
    `The first request with this ${IDEMPOTENCY_HEADER} is still running; retry later for its reply.`,
  );

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
