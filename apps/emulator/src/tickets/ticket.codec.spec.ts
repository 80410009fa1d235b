import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TicketCodec, type CrmTicketClaims } from './ticket.codec';

const claims: CrmTicketClaims = { org: 'contoso', orgId: 'o', liveId: 'a@b', iat: 1, exp: 2, jti: 'j' };

describe('TicketCodec', () => {
  const codec = new TicketCodec(randomBytes(32));

  it('round-trips CRM and Passport tickets', () => {
    expect(codec.readCrm(codec.issueCrm(claims))).toEqual(claims);
    const passport = codec.issuePassport({ liveId: 'a@b', puid: 'P', policy: 'MBI_SSL', iat: 1, exp: 2, jti: 'j' });
    expect(passport).toMatch(/^t=[A-Za-z0-9_-]+&p=$/);
    expect(codec.readPassport(passport)).toMatchObject({ liveId: 'a@b', policy: 'MBI_SSL' });
  });

  it('refuses a ticket signed with another key', () => {
    expect(new TicketCodec(randomBytes(32)).readCrm(codec.issueCrm(claims))).toBeUndefined();
  });

  it('refuses a ticket whose claims were changed', () => {
    const raw = Buffer.from(codec.issueCrm(claims), 'base64');
    const changed = Buffer.from(raw.toString('latin1').replace('contoso', 'fabrika'), 'latin1').toString('base64');
    expect(codec.readCrm(changed)).toBeUndefined();
  });

  it('refuses one kind of ticket presented as another', () => {
    const passport = codec.issuePassport({ liveId: 'a@b', puid: 'P', policy: 'MBI_SSL', iat: 1, exp: 2, jti: 'j' });
    const body = /^t=([^&]+)/.exec(passport)?.[1] ?? '';
    expect(codec.readCrm(Buffer.from(body, 'base64url').toString('base64'))).toBeUndefined();
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
