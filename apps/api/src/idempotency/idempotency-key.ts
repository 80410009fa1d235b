import { createHash } from 'node:crypto';
import { badRequest, DomainException } from '../common/domain-exception';
import type { KeyState } from './idempotency-key.entity';

/** The request header that carries the key (docs/api.md, "Idempotent Create and Update"). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const MAX_KEY_LENGTH = 255;
/** How long a key is kept, per org: a retry within this time replays; after it the key is new again. */
export const KEY_TTL_MS = 24 * 60 * 60_000;

/**
 * The header's value as a key: null when the header is absent (the call is not keyed); otherwise
 * 1 to 255 printable ASCII characters (space to `~`), or `400 IDEMPOTENCY_KEY_INVALID`.
 */
export function parseIdempotencyKey(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (raw.length === 0) throw invalidKey(`${IDEMPOTENCY_HEADER} is empty.`);
  if (raw.length > MAX_KEY_LENGTH)
    throw invalidKey(`${IDEMPOTENCY_HEADER} is longer than ${MAX_KEY_LENGTH} characters.`);
  if (!/^[\x20-\x7e]+$/.test(raw))
    throw invalidKey(`${IDEMPOTENCY_HEADER} may hold printable ASCII characters only.`);
  return raw;
}

const invalidKey = (message: string) => badRequest('IDEMPOTENCY_KEY_INVALID', message);

/** What a key is bound to: the same key with anything else here different is a reuse. */
export interface KeyedRequest {
  /** `Create` or `Update`: the route. */
  operation: string;
  orgId: string;
  entity: string;
  /** The record an Update names (null for a Create). */
  recordId: string | null;
  /** Who asked: an API key or a console user (see callerOf). */
  caller: string;
  /** The JSON body as sent. */
  body: unknown;
}

/** The caller a key belongs to: its API key, or its console user. */
export function callerOf(
  p: {
    kind: string;
    apiKeyId: string | null;
    userId: string | null;
    email: string;
  } | null,
): string {
  if (!p) return 'anonymous';
  return `${p.kind}:${p.apiKeyId ?? p.userId ?? p.email}`;
}

/**
 * The request's fingerprint: SHA-256 (hex) of its canonical JSON, in which object members are sorted by
 * name, so the order a client writes its attributes in does not matter, while any value, type or array
 * order does.
 */
export function requestHash(r: KeyedRequest): string {
  return createHash('sha256')
    .update(canonicalJson([r.operation, r.orgId, r.entity, r.recordId ?? null, r.caller, r.body ?? null]))
    .digest('hex');
}

/** JSON with object members sorted by name at every depth; `undefined` members are left out, as JSON does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A key's row as the state machine reads it. */
export interface KeyView {
  requestHash: string;
  state: KeyState;
  ownerInstance: string;
  ownerBoot: string;
  /** The lease has run out (by the database's clock): the owner is presumed gone. */
  leaseExpired: boolean;
}

/** This process: its instance name (ONBEHALF_INSTANCE_ID) and its own id for this run of the process. */
export interface Me {
  instance: string;
  boot: string;
}

/**
 * What a request does with a key that is already there:
 * - `reused`: another request (body, route, entity, record or caller) → 422 IDEMPOTENCY_KEY_REUSED;
 * - `replay`: the first call finished → its reply again, without calling CRM;
 * - `in-progress`: the first call is still running → 409 IDEMPOTENCY_IN_PROGRESS;
 * - `recover`: the first call's owner is gone (an earlier run of this instance, or its lease ran out) →
 *   this request takes the key over and finds out what CRM did.
 */
export type Decision = 'reused' | 'replay' | 'in-progress' | 'recover';

export function decide(row: KeyView, hash: string, me: Me): Decision {
  if (row.requestHash !== hash) return 'reused';
  if (row.state === 'completed') return 'replay';
  // Instance names are unique among running instances: the same name with another boot id is a
  // restarted process, so the call its earlier run started has no one left to finish it.
  if (row.ownerInstance === me.instance && row.ownerBoot !== me.boot) return 'recover';
  if (row.leaseExpired) return 'recover';
  return 'in-progress';
}

/**
 * Whether a failed call certainly did not reach CRM (or CRM certainly refused it): then the key is
 * released and a retry runs the request afresh. A refusal by this API before sending (no protocol code)
 * and a protocol failure with `executed: false` prove it; anything else (a timeout, a lost reply, a bug)
 * leaves the outcome unknown, and a retry must check CRM first.
 */
export function provenNotExecuted(err: unknown): boolean {
  if (!(err instanceof DomainException)) return false;
  const d = err.details ?? {};
  if (!('protocolCode' in d)) return true;
  return d.executed === false;
}
