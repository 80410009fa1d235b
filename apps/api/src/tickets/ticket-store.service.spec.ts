import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../secrets/secret-box';
import type { TicketEventType } from './ticket-event.entity';
import type { TicketEntity } from './ticket.entity';
import { TicketStoreService } from './ticket-store.service';
import type { TicketUpsert, TicketsRepository } from './tickets.repository';

const ORG = '11111111-0000-4000-8000-000000000001';
const OTHER = '11111111-0000-4000-8000-000000000002';
const ISSUED = new Date('2026-12-03T10:00:00Z');
const EXPIRES = new Date('2026-12-03T18:00:00Z');

/** A TicketsRepository kept in memory: one row per org as the SQL stores it (sealed), and the events. */
function fakeRepo() {
  const rows = new Map<string, TicketEntity>();
  const upserts: [string, TicketUpsert][] = [];
  const events: {
    orgId: string;
    type: TicketEventType;
    latencyMs: number | null;
    errorCode: string | null;
    instance: string;
  }[] = [];
  const calls: string[] = [];
  const repo = {
    load: async (orgId: string) => rows.get(orgId) ?? null,
    upsert: async (orgId: string, t: TicketUpsert) => {
      upserts.push([orgId, t]);
      const had = rows.get(orgId);
      const generation = had ? Number(had.generation) + 1 : 1;
      rows.set(orgId, {
        orgId,
        generation: String(generation),
        passportTicketEnc: t.passportEnc ?? had?.passportTicketEnc ?? null,
        passportIssuedAt: t.passportEnc ? ISSUED : (had?.passportIssuedAt ?? null),
        passportExpiresAt: t.passportExpiresAt ?? had?.passportExpiresAt ?? null,
        crmTicketEnc: t.crmEnc,
        crmIssuedAt: t.crmIssuedAt,
        crmExpiresAt: t.crmExpiresAt,
      } as TicketEntity);
      return generation;
    },
    savePassport: async (orgId: string, enc: Buffer, issuedAt: Date, expiresAt: Date) => {
      const had = rows.get(orgId)!;
      rows.set(orgId, {
        ...had,
        passportTicketEnc: enc,
        passportIssuedAt: issuedAt,
        passportExpiresAt: expiresAt,
      });
    },
    setRefreshLatency: async (orgId: string, ms: number) => void calls.push(`latency ${orgId} ${ms}`),
    setLastError: async (orgId: string, code: string) => void calls.push(`error ${orgId} ${code}`),
    insertEvent: async (
      orgId: string,
      type: TicketEventType,
      latencyMs: number | null,
      errorCode: string | null,
      instance: string,
    ) => {
      calls.push(`event ${type}`);
      events.push({ orgId, type, latencyMs, errorCode, instance });
    },
  } as unknown as TicketsRepository;
  return { repo, rows, upserts, events, calls };
}

function setup() {
  const fake = fakeRepo();
  const box = new SecretBox(new Map([['k1', randomBytes(32)]]), 'k1');
  const store = new TicketStoreService(fake.repo, box, { instanceId: 'api-1' });
  return { ...fake, box, store };
}

describe('TicketStoreService over its repository', () => {
  it('seals both tickets for this org, saves them with the active key and opens them again on load', async () => {
    const { store, upserts } = setup();
    const generation = await store.save(
      ORG,
      {
        passportTicket: 'passport-1',
        passportExpiresAt: EXPIRES,
        crmTicket: 'crm-1',
        crmIssuedAt: ISSUED,
        crmExpiresAt: EXPIRES,
      },
      'issued',
      12.4,
    );
    expect(generation).toBe(1);
    const [[orgId, written]] = upserts as [[string, TicketUpsert]];
    expect(orgId).toBe(ORG);
    expect(written).toMatchObject({
      kekId: 'k1',
      refreshed: false,
      latencyMs: 12,
      crmIssuedAt: ISSUED,
      crmExpiresAt: EXPIRES,
    });
    expect(written.crmEnc.toString('latin1')).not.toContain('crm-1');
    expect(written.passportEnc!.toString('latin1')).not.toContain('passport-1');
    expect(await store.load(ORG)).toEqual({
      generation: 1,
      passportTicket: 'passport-1',
      passportIssuedAt: ISSUED,
      passportExpiresAt: EXPIRES,
      crmTicket: 'crm-1',
      crmIssuedAt: ISSUED,
      crmExpiresAt: EXPIRES,
    });
  });

  it('counts a refresh as one, sends no Passport ticket when there is none, and returns the new generation', async () => {
    const { store, upserts } = setup();
    await store.save(ORG, { crmTicket: 'crm-1', crmIssuedAt: ISSUED, crmExpiresAt: EXPIRES }, 'issued', null);
    expect(
      await store.save(
        ORG,
        { crmTicket: 'crm-2', crmIssuedAt: ISSUED, crmExpiresAt: EXPIRES },
        'refreshed',
        null,
      ),
    ).toBe(2);
    expect(upserts.map(([, u]) => [u.refreshed, u.passportEnc, u.passportExpiresAt, u.latencyMs])).toEqual([
      [false, null, null, null],
      [true, null, null, null],
    ]);
    expect((await store.load(ORG))?.crmTicket).toBe('crm-2');
  });

  it('records the save as an event of its kind, with the latency rounded and the instance that saved it', async () => {
    const { store, events } = setup();
    await store.save(ORG, { crmTicket: 'c', crmIssuedAt: ISSUED, crmExpiresAt: EXPIRES }, 'refreshed', 99.5);
    expect(events).toEqual([
      { orgId: ORG, type: 'refreshed', latencyMs: 100, errorCode: null, instance: 'api-1' },
    ]);
  });

  it('does not open a ticket row copied to another org (the seal names the org and the kind)', async () => {
    const { store, rows } = setup();
    await store.save(
      ORG,
      { passportTicket: 'p', crmTicket: 'c', crmIssuedAt: ISSUED, crmExpiresAt: EXPIRES },
      'issued',
      null,
    );
    rows.set(OTHER, { ...rows.get(ORG)!, orgId: OTHER });
    await expect(store.load(OTHER)).rejects.toThrow();
    const row = rows.get(ORG)!;
    rows.set(ORG, { ...row, passportTicketEnc: row.crmTicketEnc });
    await expect(store.load(ORG)).rejects.toThrow();
  });

  it('loads null for an org without a row, and null tickets for a cleared row', async () => {
    const { store, rows } = setup();
    expect(await store.load(ORG)).toBeNull();
    rows.set(ORG, {
      orgId: ORG,
      generation: '7',
      passportTicketEnc: null,
      crmTicketEnc: null,
      passportIssuedAt: null,
      passportExpiresAt: null,
      crmIssuedAt: null,
      crmExpiresAt: null,
    } as TicketEntity);
    expect(await store.load(ORG)).toMatchObject({ generation: 7, passportTicket: null, crmTicket: null });
  });

  it('saves a new Passport ticket sealed for this org, which load opens', async () => {
    const { store } = setup();
    await store.save(ORG, { crmTicket: 'c', crmIssuedAt: ISSUED, crmExpiresAt: EXPIRES }, 'issued', null);
    await store.savePassport(ORG, 'passport-2', ISSUED, EXPIRES);
    expect(await store.load(ORG)).toMatchObject({
      passportTicket: 'passport-2',
      passportIssuedAt: ISSUED,
      passportExpiresAt: EXPIRES,
      crmTicket: 'c',
    });
  });

  it('records a failure as the last error first, then as a failure event with its code and latency', async () => {
    const { store, calls, events } = setup();
    await store.recordFailure(ORG, '0x80048306', 250.2);
    expect(calls).toEqual([`error ${ORG} 0x80048306`, 'event failure']);
    expect(events).toEqual([
      { orgId: ORG, type: 'failure', latencyMs: 250, errorCode: '0x80048306', instance: 'api-1' },
    ]);
  });

  it('rounds a reported refresh latency to whole milliseconds', async () => {
    const { store, calls } = setup();
    await store.recordRefreshLatency(ORG, 41.6);
    expect(calls).toEqual([`latency ${ORG} 42`]);
  });
});
