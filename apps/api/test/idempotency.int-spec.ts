import { randomUUID } from 'node:crypto';
import type { RunningEmulator } from '@onbehalf/emulator';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerOf, requestHash } from '../src/idempotency/idempotency-key';
import { IdempotencyRepository } from '../src/idempotency/idempotency.repository';
import { IDEMPOTENCY_PURGE_JOB } from '../src/idempotency/idempotency.service';
import { JobsService } from '../src/jobs/jobs.service';
import { type ConsoleClient, json, startTestStack, type TestStack } from './harness';
import { JON_PUID, onboard, uploadDemoCertificate } from './support/orgs';
import { type RestartableApi, startRestartableApi } from './support/restartable-api';

type Counts = { crm?: Record<string, number> };
type KeyRow = { state: string; record_id: string | null; ledger_id: string | null; attempt: number };

/** Waits for a condition the test cannot be told about (a record landing at the emulator, a row changing). */
async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const KEY = (tag: string) => `${tag}-${randomUUID()}`;

describe('Idempotency-Key on Create and Update (one API, the emulator)', () => {
  let s: TestStack;
  let orgId: string;
  let adminId: string;
  const counts = () => s.emulator.control.counts() as unknown as Counts;
  const records = (name: string) =>
    s.emulator.control
      .records({ org: 'contoso', entity: 'account' })
      .filter((r) => r.attributes.name === name);
  const q = <T>(sql: string, params: unknown[] = []) => s.api.dataSource.query(sql, params) as Promise<T[]>;
  const keyRow = async (key: string) =>
    (
      await q<KeyRow>(
        `SELECT state, record_id, ledger_id, attempt FROM idempotency_keys WHERE org_id = $1 AND key = $2`,
        [orgId, key],
      )
    )[0];
  const ledgerRows = (recordId: string) =>
    q<{ id: string; operation: string; outcome: string }>(
      `SELECT id, operation, outcome FROM crm_calls WHERE org_id = $1 AND record_id = $2 ORDER BY at`,
      [orgId, recordId],
    );
  let apiKey: string;
  /** The ISV's software: an API key with the calls scope, its own fetch (and timeout). */
  const isvCreate = (body: unknown, key: string, signal?: AbortSignal) =>
    fetch(`${s.url}/api/orgs/${orgId}/records/account`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  const create = (body: unknown, key?: string) =>
    s.admin.post(
      `/api/orgs/${orgId}/records/account`,
      body,
      key === undefined ? {} : { 'idempotency-key': key },
    );

  beforeAll(async () => {
    s = await startTestStack({ ONBEHALF_INSTANCE_ID: 'idem-a' });
    const certId = await uploadDemoCertificate(s.admin, s.emulator);
    orgId = await onboard(s.admin, s.emulator, 'Contoso Ltd', certId);
    adminId = (await json<{ user: { id: string } }>(await s.admin.get('/api/auth/me'))).user.id;
    const res = await s.admin.post('/api/api-keys', { name: 'isv', scopes: ['calls'], orgIds: [orgId] });
    expect(res.status).toBe(201);
    apiKey = (await json<{ key: string }>(res)).key;
    expect((await create({ attributes: { name: 'warm-up' } })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
  });

  it('the same key and body: one record in CRM, one ledger row, the same reply (the second marked replayed) without a second CRM call', async () => {
    const key = KEY('same');
    const body = { attributes: { name: 'same-key', address1_city: 'Oslo' }, onBehalfOf: { puid: JON_PUID } };
    s.emulator.control.resetCounts();
    const first = await create(body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const reply = await json<{ id: string; ledgerId: string }>(first);
    // The same attributes in another order are the same request.
    const again = await create(
      { onBehalfOf: { puid: JON_PUID }, attributes: { address1_city: 'Oslo', name: 'same-key' } },
      key,
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(reply);
    expect(counts().crm?.Create).toBe(1);
    expect(records('same-key').map((r) => r.id.toLowerCase())).toEqual([reply.id]);
    expect(await ledgerRows(reply.id)).toEqual([
      { id: reply.ledgerId, operation: 'Create', outcome: 'completed' },
    ]);
    expect(await keyRow(key)).toMatchObject({
      state: 'completed',
      record_id: reply.id,
      ledger_id: reply.ledgerId,
    });
  });

  it('the same key with another body, entity, route or caller is 422 IDEMPOTENCY_KEY_REUSED, and CRM is not called', async () => {
    const key = KEY('reuse');
    const first = await create({ attributes: { name: 'reuse-1' } }, key);
    expect(first.status).toBe(201);
    const { id } = await json<{ id: string }>(first);
    s.emulator.control.resetCounts();
    const tries = [
      await create({ attributes: { name: 'reuse-2' } }, key),
      await create({ attributes: { name: 'reuse-1' }, onBehalfOf: { puid: JON_PUID } }, key),
      await s.admin.post(
        `/api/orgs/${orgId}/records/contact`,
        { attributes: { name: 'reuse-1' } },
        { 'idempotency-key': key },
      ),
      await s.admin.request(
        'PATCH',
        `/api/orgs/${orgId}/records/account/${id}`,
        { attributes: { name: 'reuse-1' } },
        { 'idempotency-key': key },
      ),
      await isvCreate({ attributes: { name: 'reuse-1' } }, key),
    ];
    for (const t of tries) {
      expect(t.status).toBe(422);
      expect((await json(t)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    expect(counts().crm ?? {}).toEqual({});
    expect(records('reuse-2')).toEqual([]);
  });

  it('a key is 1 to 255 printable ASCII characters: anything else is 400 IDEMPOTENCY_KEY_INVALID before any work', async () => {
    s.emulator.control.resetCounts();
    for (const bad of ['', 'k'.repeat(256), 'caf\u00e9', 'tab\there']) {
      const r = await create({ attributes: { name: 'bad-key' } }, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect((await json(r)).code).toBe('IDEMPOTENCY_KEY_INVALID');
    }
    expect(counts().crm ?? {}).toEqual({});
    const longest = await create({ attributes: { name: 'longest-key' } }, `~ ${'k'.repeat(253)}`);
    expect(longest.status).toBe(201);
  });

  it('concurrent requests with one key: one 201 from CRM, the others 409 IDEMPOTENCY_IN_PROGRESS or the replay', async () => {
    const key = KEY('herd');
    s.emulator.control.addScenario({
      name: 'SLOW',
      org: 'contoso',
      endpoint: 'crm',
      params: { ms: 400, count: 1 },
    });
    s.emulator.control.resetCounts();
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => create({ attributes: { name: 'herd-key' } }, key)),
    );
    s.emulator.control.clearScenarios();
    const fresh = replies.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    const { id } = await json<{ id: string }>(fresh[0]!);
    for (const r of replies.filter((x) => x !== fresh[0])) {
      if (r.status === 201) expect((await json(r)).id).toBe(id);
      else {
        expect(r.status).toBe(409);
        expect((await json(r)).code).toBe('IDEMPOTENCY_IN_PROGRESS');
      }
    }
    expect(replies.some((r) => r.status === 409)).toBe(true);
    expect(counts().crm?.Create).toBe(1);
    expect(records('herd-key')).toHaveLength(1);
  });

  it('an ISV client that times out and retries 100 times creates exactly one record', async () => {
    const key = KEY('retry');
    const body = { attributes: { name: 'retry-100' }, onBehalfOf: { puid: JON_PUID } };
    s.emulator.control.addScenario({
      name: 'SLOW',
      org: 'contoso',
      endpoint: 'crm',
      params: { ms: 1_000, count: 1 },
    });
    s.emulator.control.resetCounts();
    const seen: Record<string, number> = {};
    const ids = new Set<string>();
    // The ISV's client gives up after 50 ms each time and sends the same request again, 100 times.
    for (let i = 0; i < 100; i++) {
      let outcome: string;
      try {
        const r = await isvCreate(body, key, AbortSignal.timeout(50));
        outcome = String(r.status);
        if (r.status === 201) ids.add((await json<{ id: string }>(r)).id);
      } catch {
        outcome = 'timeout';
      }
      seen[outcome] = (seen[outcome] ?? 0) + 1;
    }
    await until('the first call to finish', async () => (await keyRow(key))?.state === 'completed');
    const last = await isvCreate(body, key);
    expect(last.status).toBe(201);
    ids.add((await json<{ id: string }>(last)).id);
    s.emulator.control.clearScenarios();
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(Object.keys(seen).every((k) => ['timeout', '409', '201'].includes(k))).toBe(true);
    expect(records('retry-100').map((r) => r.id.toLowerCase())).toEqual([id]);
    expect(counts().crm?.Create).toBe(1);
    expect(await ledgerRows(id!)).toHaveLength(1);
    console.log(
      `idempotency: 100 retries (${JSON.stringify(seen)}) + 1: ${records('retry-100').length} record in CRM, ` +
        `${counts().crm?.Create} Create sent, ${(await ledgerRows(id!)).length} ledger row`,
    );
  });

  it('Update: the same key and body replay the first ledger row without a second Update; another body is 422', async () => {
    const made = await json<{ id: string }>(await create({ attributes: { name: 'to-update' } }));
    const key = KEY('update');
    const path = `/api/orgs/${orgId}/records/account/${made.id}`;
    s.emulator.control.resetCounts();
    const first = await s.admin.request(
      'PATCH',
      path,
      { attributes: { address1_city: 'Bergen' } },
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(200);
    const { ledgerId } = await json<{ ledgerId: string }>(first);
    const again = await s.admin.request(
      'PATCH',
      path,
      { attributes: { address1_city: 'Bergen' } },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual({ ledgerId });
    const other = await s.admin.request(
      'PATCH',
      path,
      { attributes: { address1_city: 'Tromsø' } },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(422);
    expect(counts().crm?.Update).toBe(1);
    expect(records('to-update')[0]!.attributes.address1_city).toBe('Bergen');
  });

  it('a call CRM refused releases the key: the retry runs afresh', async () => {
    const key = KEY('refused');
    const body = { attributes: { name: 'refused-once' }, onBehalfOf: { puid: JON_PUID } };
    s.emulator.control.addScenario({
      name: 'USER_WITHOUT_RIGHT',
      org: 'contoso',
      params: { right: 'create', count: 1 },
    });
    const refused = await create(body, key);
    expect(refused.status).toBe(403);
    expect(await keyRow(key)).toBeUndefined();
    const retry = await create(body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(records('refused-once')).toHaveLength(1);
  });

  it('a lost reply (CRM created the record, its reply was cut): the retry finds the record by its chosen id and sends no second Create', async () => {
    const key = KEY('lost-reply');
    const body = { attributes: { name: 'lost-reply' } };
    s.emulator.control.addScenario({
      name: 'MALFORMED_REPLY',
      org: 'contoso',
      endpoint: 'crm',
      params: { count: 1 },
    });
    s.emulator.control.resetCounts();
    const lost = await create(body, key);
    expect(lost.status).toBe(502);
    const row = (await keyRow(key))!;
    expect(row).toMatchObject({ state: 'in_flight', attempt: 1 });
    expect(records('lost-reply').map((r) => r.id.toLowerCase())).toEqual([row.record_id]);
    const retry = await create(body, key);
    expect(retry.status).toBe(201);
    expect(await json(retry)).toEqual({ id: row.record_id, ledgerId: row.ledger_id });
    expect(counts().crm?.Create).toBe(1);
    expect(records('lost-reply')).toHaveLength(1);
    // The reply names the first call's row, which the call path failed when the reply came back garbled: it
    // stays failed (only a row still pending is completed by the recovery; reconciliation links it to the record).
    const [first] = await q<{ outcome: string; error_code: string | null; record_id: string }>(
      `SELECT outcome, error_code, record_id FROM crm_calls WHERE id = $1`,
      [row.ledger_id],
    );
    expect(first).toEqual({ outcome: 'failed', error_code: 'ERR_XML_MALFORMED', record_id: row.record_id });
  });

  it('a dropped connection (outcome unknown, CRM did nothing): the retry checks CRM, then sends the Create again with the same id', async () => {
    const key = KEY('dropped');
    const body = { attributes: { name: 'dropped-once' } };
    s.emulator.control.addScenario({
      name: 'DROP_CONNECTION',
      org: 'contoso',
      endpoint: 'crm',
      params: { count: 1 },
    });
    const dropped = await create(body, key);
    expect(dropped.status).toBe(502);
    const chosen = (await keyRow(key))!.record_id;
    expect(records('dropped-once')).toEqual([]);
    const retry = await create(body, key);
    expect(retry.status).toBe(201);
    expect((await json<{ id: string }>(retry)).id).toBe(chosen);
    expect(records('dropped-once').map((r) => r.id.toLowerCase())).toEqual([chosen]);
  });

  describe('a key left in flight by an instance that is gone', () => {
    const hashOf = (attributes: Record<string, unknown>) =>
      requestHash({
        operation: 'Create',
        orgId,
        entity: 'account',
        recordId: null,
        caller: callerOf({ kind: 'session', apiKeyId: null, userId: adminId, email: '' }),
        body: { attributes, onBehalfOf: null },
      });
    /** The rows a Create leaves when its instance dies after writing them and before its reply. */
    const cutOff = async (
      key: string,
      attributes: Record<string, unknown>,
      recordId: string,
      owner: { instance: string; leaseSec: number },
    ) => {
      const ledgerId = randomUUID();
      await q(
        `INSERT INTO crm_calls (id, org_id, operation, entity, record_id, outcome, instance)
         VALUES ($1, $2, 'Create', 'account', $3, 'pending', $4)`,
        [ledgerId, orgId, recordId, owner.instance],
      );
      await q(
        `INSERT INTO idempotency_keys (org_id, key, request_hash, state, record_id, ledger_id, owner_instance, owner_boot,
                                       attempt, lease_until, expires_at)
         VALUES ($1, $2, $3, 'in_flight', $4, $5, $6, $7, 1, now() + make_interval(secs => $8), now() + interval '1 day')`,
        [orgId, key, hashOf(attributes), recordId, ledgerId, owner.instance, randomUUID(), owner.leaseSec],
      );
      return ledgerId;
    };

    it('another live instance within its lease: 409 IDEMPOTENCY_IN_PROGRESS, CRM not called', async () => {
      const key = KEY('live');
      await cutOff(key, { name: 'live-owner' }, randomUUID(), { instance: 'idem-b', leaseSec: 60 });
      s.emulator.control.resetCounts();
      const r = await create({ attributes: { name: 'live-owner' } }, key);
      expect(r.status).toBe(409);
      expect((await json(r)).code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(counts().crm ?? {}).toEqual({});
    });

    it('an earlier run of this instance, whose Create never reached CRM: the retry sends it with the chosen id', async () => {
      const key = KEY('restarted');
      const chosen = randomUUID();
      const firstLedgerId = await cutOff(key, { name: 'never-sent' }, chosen, {
        instance: 'idem-a',
        leaseSec: 60,
      });
      s.emulator.control.resetCounts();
      const r = await create({ attributes: { name: 'never-sent' } }, key);
      expect(r.status).toBe(201);
      const reply = await json<{ id: string; ledgerId: string }>(r);
      expect(reply.id).toBe(chosen);
      expect(reply.ledgerId).not.toBe(firstLedgerId);
      expect(counts().crm?.Create).toBe(1);
      expect(records('never-sent').map((x) => x.id.toLowerCase())).toEqual([chosen]);
      expect(await keyRow(key)).toMatchObject({ state: 'completed', attempt: 2, ledger_id: reply.ledgerId });
    });

    it('a lease run out, and CRM has the record: completed with it and its first ledger row, no Create sent', async () => {
      const key = KEY('expired-lease');
      const made = await create({ attributes: { name: 'landed', accountid: randomUUID() } });
      const { id } = await json<{ id: string }>(made);
      const firstLedgerId = await cutOff(key, { name: 'landed' }, id, { instance: 'idem-b', leaseSec: -1 });
      s.emulator.control.resetCounts();
      const r = await create({ attributes: { name: 'landed' } }, key);
      expect(r.status).toBe(201);
      expect(await json(r)).toEqual({ id, ledgerId: firstLedgerId });
      expect(counts().crm?.Create ?? 0).toBe(0);
      const [ledgerRow] = await q<{ outcome: string; record_id: string }>(
        `SELECT outcome, record_id FROM crm_calls WHERE id = $1`,
        [firstLedgerId],
      );
      expect(ledgerRow).toEqual({ outcome: 'completed', record_id: id });
    });
    it('a recovery that fails "not executed" (its check of CRM refused) keeps the key with its chosen id: the next retry finds the record, so CRM holds one', async () => {
      const key = KEY('recovery-refused');
      const chosen = randomUUID();
      // The cut-off Create landed in CRM under the chosen id.
      expect((await create({ attributes: { name: 'recovery-refused', accountid: chosen } })).status).toBe(
        201,
      );
      const firstLedgerId = await cutOff(key, { name: 'recovery-refused' }, chosen, {
        instance: 'idem-b',
        leaseSec: -1,
      });
      // CRM refuses the retry's existence check (a fault: CRM certainly ran nothing).
      s.emulator.control.addScenario({
        name: 'DISABLED_ORG',
        org: 'contoso',
        endpoint: 'crm',
        params: { count: 1 },
      });
      const refused = await create({ attributes: { name: 'recovery-refused' } }, key);
      expect(refused.status).toBe(503);
      expect((await json(refused)).code).toBe('CRM_ORG_DISABLED');
      expect(await keyRow(key)).toMatchObject({
        state: 'in_flight',
        record_id: chosen,
        ledger_id: firstLedgerId,
        attempt: 2,
      });
      s.emulator.control.resetCounts();
      const retry = await create({ attributes: { name: 'recovery-refused' } }, key);
      expect(retry.status).toBe(201);
      expect(await json(retry)).toEqual({ id: chosen, ledgerId: firstLedgerId });
      expect(counts().crm?.Create ?? 0).toBe(0);
      expect(records('recovery-refused').map((r) => r.id.toLowerCase())).toEqual([chosen]);
    });
  });

  it("a key's lease is renewed only for its own attempt in flight, and its ledger row, once named, is kept", async () => {
    const repo = s.api.app.get(IdempotencyRepository);
    const key = KEY('lease');
    const lease = async () =>
      (
        await q<{ left: number; ledger_id: string | null }>(
          `SELECT extract(epoch FROM lease_until - now())::float AS left, ledger_id FROM idempotency_keys
            WHERE org_id = $1 AND key = $2`,
          [orgId, key],
        )
      )[0]!;
    expect(
      await repo.claim({
        orgId,
        key,
        requestHash: 'h',
        recordId: randomUUID(),
        ownerInstance: 'idem-a',
        ownerBoot: randomUUID(),
        leaseMs: 1_000,
        ttlMs: 60_000,
      }),
    ).toMatchObject({ claimed: true, row: { attempt: 1 } });
    await repo.renew(orgId, key, 2, 600_000);
    expect((await lease()).left).toBeLessThan(2);
    await repo.renew(orgId, key, 1, 600_000);
    expect((await lease()).left).toBeGreaterThan(590);
    const [first, second] = [randomUUID(), randomUUID()];
    await repo.setLedgerId(orgId, key, 1, first);
    await repo.setLedgerId(orgId, key, 1, second);
    expect((await lease()).ledger_id).toBe(first);
    await repo.complete(orgId, key, 1, { status: 201, body: {}, recordId: null, ledgerId: second });
    expect((await lease()).ledger_id).toBe(second);
    await repo.renew(orgId, key, 1, 900_000);
    expect((await lease()).left).toBeLessThan(1);
  });

  it('keys are kept 24 hours: the purge job deletes older ones, and an expired key is a new key', async () => {
    const old = KEY('old');
    const kept = KEY('kept');
    for (const [key, age] of [
      [old, '25 hours'],
      [kept, '23 hours'],
    ] as const) {
      await q(
        `INSERT INTO idempotency_keys (org_id, key, request_hash, state, owner_instance, owner_boot, lease_until,
                                       reply_status, reply_body, created_at, expires_at)
         VALUES ($1, $2, 'x', 'completed', 'idem-a', gen_random_uuid(), now(), 201, '{}',
                 now() - $3::interval, now() - $3::interval + interval '24 hours')`,
        [orgId, key, age],
      );
    }
    const stale = KEY('stale');
    await q(
      `INSERT INTO idempotency_keys (org_id, key, request_hash, state, owner_instance, owner_boot, lease_until,
                                     reply_status, reply_body, expires_at)
       VALUES ($1, $2, 'x', 'completed', 'idem-a', gen_random_uuid(), now(), 201, '{}', now() - interval '1 second')`,
      [orgId, stale],
    );
    // Not purged yet, but expired: the same key with another request is a new key, not a reuse.
    const fresh = await create({ attributes: { name: 'after-expiry' } }, stale);
    expect(fresh.status).toBe(201);
    expect(await keyRow(stale)).toMatchObject({ state: 'completed' });

    expect(await s.api.app.get(JobsService).runNow(IDEMPOTENCY_PURGE_JOB)).not.toBeNull();
    expect(await keyRow(old)).toBeUndefined();
    expect(await keyRow(kept)).toMatchObject({ state: 'completed' });
    expect(await keyRow(stale)).toMatchObject({ state: 'completed' });
  });
});

/**
 * The API as production runs it (node dist/main.js), SIGKILLed while CRM holds its keyed Create: CRM creates
 * the record and replies to no one. The instance restarts under the same ONBEHALF_INSTANCE_ID, and the ISV's
 * retry with the same key gets the record CRM made, without a second Create.
 */
describe('Idempotency-Key across a crash between the CRM call and the reply', () => {
  let world: RestartableApi;
  let emulator: RunningEmulator;
  let pg: Client;
  let orgId: string;
  let client: ConsoleClient;
  const boot = async () => {
    client = await world.boot();
  };
  const createCount = () => (emulator.control.counts() as unknown as Counts).crm?.Create ?? 0;

  beforeAll(async () => {
    world = await startRestartableApi('idem', { ONBEHALF_INSTANCE_ID: 'idem-crash' });
    ({ emulator, pg } = world);
    await boot();
    orgId = await onboard(client, emulator, 'Contoso Ltd', await uploadDemoCertificate(client, emulator));
  }, 240_000);
  afterAll(async () => {
    await world?.close();
  });

  it('SIGKILL while CRM runs the Create, restart, retry with the same key: one record, and the reply names it', async () => {
    // Tickets and Jon's user mapping in place: the Create below is the first CRM call of its request.
    const warm = await client.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'warm-up' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(warm.status).toBe(201);
    const key = KEY('crash');
    const body = { attributes: { name: 'crash-key' }, onBehalfOf: { puid: JON_PUID } };
    const send = () => client.post(`/api/orgs/${orgId}/records/account`, body, { 'idempotency-key': key });
    const mine = () =>
      emulator.control
        .records({ org: 'contoso', entity: 'account' })
        .filter((r) => r.attributes.name === 'crash-key');

    emulator.control.addScenario({
      name: 'SLOW',
      org: 'contoso',
      endpoint: 'crm',
      params: { ms: 1_500, count: 1 },
    });
    emulator.control.resetCounts();
    const first = send().then(
      (r) => r.status,
      () => 'no reply' as const,
    );
    // CRM has the Create (counted on arrival) and holds it: the API is waiting for the reply.
    await until('CRM to receive the Create', () => createCount() === 1);
    const [inFlight] = (
      await pg.query<{ state: string; record_id: string; ledger_id: string }>(
        `SELECT state, record_id, ledger_id FROM idempotency_keys WHERE org_id = $1 AND key = $2`,
        [orgId, key],
      )
    ).rows;
    expect(inFlight).toMatchObject({ state: 'in_flight' });
    expect(inFlight!.ledger_id).not.toBeNull();
    await world.api!.kill();
    expect(await first).toBe('no reply');
    // The held Create lands after the kill, its reply to no one.
    await until('the Create to land in CRM', () => mine().length === 1);
    expect(mine()[0]!.id.toLowerCase()).toBe(inFlight!.record_id);

    await boot();
    const retry = await send();
    expect(retry.status).toBe(201);
    const reply = await json<{ id: string; ledgerId: string }>(retry);
    expect(reply).toEqual({ id: inFlight!.record_id, ledgerId: inFlight!.ledger_id });
    const replay = await send();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(replay)).toEqual(reply);

    const ledger = (
      await pg.query<{ id: string; outcome: string }>(
        `SELECT id, outcome FROM crm_calls WHERE org_id = $1 AND record_id = $2`,
        [orgId, reply.id],
      )
    ).rows;
    expect(mine()).toHaveLength(1);
    expect(createCount()).toBe(1);
    expect(ledger).toEqual([{ id: reply.ledgerId, outcome: 'completed' }]);
    console.log(
      `idempotency crash: 1 request cut off + 2 retries: ${mine().length} record in CRM, ${createCount()} Create sent, ` +
        `${ledger.length} ledger row (${ledger[0]!.outcome})`,
    );
  });
});
