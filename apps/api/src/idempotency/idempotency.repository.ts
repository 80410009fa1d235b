import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { IdempotencyKeyEntity, type KeyState } from './idempotency-key.entity';

/** A key's row as the service reads it back. */
export interface KeyRow {
  requestHash: string;
  state: KeyState;
  recordId: string | null;
  ledgerId: string | null;
  ownerInstance: string;
  ownerBoot: string;
  attempt: number;
  /** The lease has run out, by the database's clock (instances' clocks may differ). */
  leaseExpired: boolean;
  replyStatus: number | null;
  replyBody: Record<string, unknown> | null;
}

/** What claiming a key writes. */
export interface NewKey {
  orgId: string;
  key: string;
  requestHash: string;
  recordId: string | null;
  ownerInstance: string;
  ownerBoot: string;
  leaseMs: number;
  ttlMs: number;
}

const COLUMNS = `request_hash AS "requestHash", state, record_id AS "recordId", ledger_id AS "ledgerId",
  owner_instance AS "ownerInstance", owner_boot AS "ownerBoot", attempt, lease_until <= now() AS "leaseExpired",
  reply_status AS "replyStatus", reply_body AS "replyBody"`;

/**
 * Every SQL statement over `idempotency_keys`. Each write after the claim names the attempt it belongs
 * to, so a request whose key was taken over by a recovering retry can no longer change it.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(
    @InjectRepository(IdempotencyKeyEntity) private readonly keys: Repository<IdempotencyKeyEntity>,
  ) {}

  /**
   * Writes the key `in_flight` for this request, unless it exists (an expired row is replaced). Returns
   * the row this request now owns (`claimed`), or the one already there; null when that row went away
   * between the two (released or purged): the caller tries again.
   */
  async claim(k: NewKey): Promise<{ claimed: boolean; row: KeyRow } | null> {
    const inserted = (await this.keys.query(
      `INSERT INTO idempotency_keys AS k (org_id, key, request_hash, state, record_id, owner_instance, owner_boot,
                                         attempt, lease_until, expires_at)
       VALUES ($1, $2, $3, 'in_flight', $4, $5, $6, 1, now() + make_interval(secs => $7), now() + make_interval(secs => $8))
       ON CONFLICT (org_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, state = 'in_flight',
              record_id = EXCLUDED.record_id, ledger_id = NULL, owner_instance = EXCLUDED.owner_instance,
              owner_boot = EXCLUDED.owner_boot, attempt = 1, lease_until = EXCLUDED.lease_until,
              reply_status = NULL, reply_body = NULL, created_at = now(), completed_at = NULL,
              expires_at = EXCLUDED.expires_at
        WHERE k.expires_at <= now()
       RETURNING ${COLUMNS}`,
      [
        k.orgId,
        k.key,
        k.requestHash,
        k.recordId,
        k.ownerInstance,
        k.ownerBoot,
        k.leaseMs / 1000,
        k.ttlMs / 1000,
      ],
    )) as KeyRow[];
    if (inserted[0]) return { claimed: true, row: inserted[0] };
    const row = await this.find(k.orgId, k.key);
    return row ? { claimed: false, row } : null;
  }

  async find(orgId: string, key: string): Promise<KeyRow | null> {
    const rows = (await this.keys.query(
      `SELECT ${COLUMNS} FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND expires_at > now()`,
      [orgId, key],
    )) as KeyRow[];
    return rows[0] ?? null;
  }

  /**
   * Takes over an in-flight key whose owner is gone: this instance becomes its owner with a fresh lease and
   * the next attempt number. Null when another request took it over first (or it was completed meanwhile).
   */
  async takeOver(
    orgId: string,
    key: string,
    seenAttempt: number,
    owner: { instance: string; boot: string; leaseMs: number },
  ): Promise<KeyRow | null> {
    const [rows] = (await this.keys.query(
      `UPDATE idempotency_keys SET owner_instance = $4, owner_boot = $5, attempt = attempt + 1,
              lease_until = now() + make_interval(secs => $6)
        WHERE org_id = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'
       RETURNING ${COLUMNS}`,
      [orgId, key, seenAttempt, owner.instance, owner.boot, owner.leaseMs / 1000],
    )) as [KeyRow[], number];
    return rows[0] ?? null;
  }

  /**
   * Names the ledger row of the attempt's CRM call (written before the call is sent), unless an earlier
   * attempt already named one: that call may have reached CRM, and a later recovery asks about it and
   * names it in its reply (a recovering attempt's own call, when refused, must not hide it).
   */
  async setLedgerId(orgId: string, key: string, attempt: number, ledgerId: string): Promise<void> {
    await this.keys.query(
      `UPDATE idempotency_keys SET ledger_id = COALESCE(ledger_id, $4)
        WHERE org_id = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'`,
      [orgId, key, attempt, ledgerId],
    );
  }

  /** Extends the attempt's lease while its call runs. */
  async renew(orgId: string, key: string, attempt: number, leaseMs: number): Promise<void> {
    await this.keys.query(
      `UPDATE idempotency_keys SET lease_until = now() + make_interval(secs => $4)
        WHERE org_id = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'`,
      [orgId, key, attempt, leaseMs / 1000],
    );
  }

  /** Keeps the reply. False when the attempt no longer owns the key. */
  async complete(
    orgId: string,
    key: string,
    attempt: number,
    reply: {
      status: number;
      body: Record<string, unknown>;
      recordId: string | null;
      ledgerId: string | null;
    },
  ): Promise<boolean> {
    const [, n] = (await this.keys.query(
      `UPDATE idempotency_keys SET state = 'completed', reply_status = $4, reply_body = $5::jsonb,
              record_id = COALESCE($6, record_id), ledger_id = COALESCE($7, ledger_id), completed_at = now(), lease_until = now()
        WHERE org_id = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'`,
      [orgId, key, attempt, reply.status, JSON.stringify(reply.body), reply.recordId, reply.ledgerId],
    )) as [unknown, number];
    return n > 0;
  }

  /** Deletes the attempt's key: CRM certainly did nothing, so a retry starts afresh. */
  async release(orgId: string, key: string, attempt: number): Promise<void> {
    await this.keys.query(
      `DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'`,
      [orgId, key, attempt],
    );
  }

  /** Ends the attempt's lease now: what CRM did is unknown, so the next retry recovers at once. */
  async abandon(orgId: string, key: string, attempt: number): Promise<void> {
    await this.keys.query(
      `UPDATE idempotency_keys SET lease_until = now() WHERE org_id = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'`,
      [orgId, key, attempt],
    );
  }

  /** Deletes every expired key; returns how many. */
  async purgeExpired(): Promise<number> {
    const [, n] = (await this.keys.query(`DELETE FROM idempotency_keys WHERE expires_at <= now()`)) as [
      unknown,
      number,
    ];
    return n;
  }
}
