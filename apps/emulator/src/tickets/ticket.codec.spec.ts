import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TicketCodec, type CrmTicketClaims } from './ticket.codec';

const claims: CrmTicketClaims = { org: 'contoso', orgId: 'o', liveId: 'a@b', iat: 1, exp: 2, jti: 'j' };
const passportClaims = {
  liveId: 'a@b',
  puid: 'P',
  policy: 'MBI_SSL',
  appliesTo: 'crm.dynamics.com',
  iat: 1,
  exp: 2,
  jti: 'j',
};

describe('TicketCodec', () => {
  const codec = new TicketCodec(randomBytes(32));

  it('round-trips CRM and Passport tickets', () => {
    expect(codec.readCrm(codec.issueCrm(claims))).toEqual(claims);
    const passport = codec.issuePassport(passportClaims);
    expect(passport).toMatch(/^t=[A-Za-z0-9+/]+={0,2}&p=$/);
    expect(codec.readPassport(passport)).toMatchObject({
      liveId: 'a@b',
      policy: 'MBI_SSL',
      appliesTo: 'crm.dynamics.com',
    });
  });

  it('writes both tickets in standard base64 that always holds +, / and = (never base64url)', () => {
    for (const jti of ['j', 'jj', 'jjj', 'a-much-longer-ticket-id']) {
      const crm = codec.issueCrm({ ...claims, jti });
      const passport = codec.issuePassport({ ...passportClaims, jti });
      const body = /^t=([^&]+)&p=$/.exec(passport)?.[1] ?? '';
      for (const ticket of [crm, body]) {
        expect(ticket).toMatch(/^[A-Za-z0-9+/]+={1,2}$/);
        expect(ticket).toContain('+');
        expect(ticket).toContain('/');
        expect(ticket).not.toMatch(/[-_]/);
      }
      expect(passport).toContain('&');
    }
  });

  it('refuses a ticket mangled as a form or a URL would mangle it (+ as space, %2B, padding dropped)', () => {
    const crm = codec.issueCrm(claims);
    const passport = codec.issuePassport(passportClaims);
    for (const [ticket, read] of [
      [crm, (t: string) => codec.readCrm(t)],
      [passport, (t: string) => codec.readPassport(t)],
    ] as const) {
      expect(read(ticket)).toBeDefined();
      expect(read(ticket.replace(/\+/g, ' '))).toBeUndefined();
      expect(read(ticket.replace(/\+/g, '%2B'))).toBeUndefined();
      expect(read(ticket.replace(/\//g, '_').replace(/\+/g, '-'))).toBeUndefined();
      expect(read(ticket.replace(/=+(&p=)?$/, '$1'))).toBeUndefined();
    }
    expect(codec.readPassport(passport.replace('&', '&amp;'))).toBeUndefined();
  });

  it('refuses a ticket signed with another key', () => {
    expect(new TicketCodec(randomBytes(32)).readCrm(codec.issueCrm(claims))).toBeUndefined();
  });

  it('refuses a ticket whose claims were changed', () => {
    const raw = Buffer.from(codec.issueCrm(claims), 'base64');
    const changed = Buffer.from(raw.toString('latin1').replace('contoso', 'fabrika'), 'latin1').toString(
      'base64',
    );
    expect(codec.readCrm(changed)).toBeUndefined();
  });

  it('refuses one kind of ticket presented as another', () => {
    const passport = codec.issuePassport(passportClaims);
    const body = /^t=([^&]+)/.exec(passport)?.[1] ?? '';
    expect(codec.readCrm(body)).toBeUndefined();
    expect(codec.readPassport(`t=${codec.issueCrm(claims)}&p=`)).toBeUndefined();
  });

  it('refuses garbled text, including characters base64 decoding would silently drop', () => {
    const ticket = codec.issueCrm(claims);
    expect(codec.readCrm(`${ticket}A`)).toBeUndefined();
    expect(codec.readCrm('not a ticket')).toBeUndefined();
    expect(codec.readCrm('')).toBeUndefined();
    expect(codec.readPassport('t=&p=')).toBeUndefined();
    const cookie = codec.issueRpsCookie({ liveId: 'a@b', exp: Date.now() + 1000 });
    expect(codec.readRpsCookie(cookie, Date.now())).toMatchObject({ liveId: 'a@b' });
    expect(codec.readRpsCookie(`${cookie}x`, Date.now())).toBeUndefined();
    expect(codec.readRpsCookie(cookie, Date.now() + 2000)).toBeUndefined();
  });
});
