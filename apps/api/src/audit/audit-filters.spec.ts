import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import { AuditService } from './audit.service';
import { AdminAuditQueryDto } from './dto/admin-audit-query.dto';
import { AuditQueryDto, blankAsAbsent, toLimit } from './dto/audit-query.dto';

// filters() needs neither the database nor the admin audit.
const service = new AuditService(null as never, null as never);
const filters = (q: Partial<AuditQueryDto>) => service.filters(q as AuditQueryDto);
const refusal = (q: Partial<AuditQueryDto>) => {
  try {
    filters(q);
  } catch (e) {
    if (e instanceof DomainException)
      return { status: e.status, code: e.code, message: e.message, details: e.details };
    throw e;
  }
  return null;
};
const UUID = '0F8FAD5B-D9CB-469F-A165-70867728950E';

describe('AuditService.filters', () => {
  it('has no filter for an empty query', () => {
    expect(filters({})).toEqual({});
  });

  it('lower-cases the org id and the entity', () => {
    expect(filters({ orgId: UUID, entity: 'Account' })).toEqual({
      orgId: UUID.toLowerCase(),
      entity: 'account',
    });
  });

  it('reads an actor as a CRM user id when it is a UUID, else as a name kept as typed', () => {
    expect(filters({ actor: UUID }).actor).toEqual({ id: UUID.toLowerCase() });
    expect(filters({ actor: 'Svc Account' }).actor).toEqual({ name: 'Svc Account' });
  });

  it('reads onBehalfOf (trimmed) as a UUID, a 16-hex-digit PUID or else a name substring', () => {
    expect(filters({ onBehalfOf: ` ${UUID} ` }).onBehalfOf).toEqual({ id: UUID.toLowerCase() });
    expect(filters({ onBehalfOf: ' 00037ffe8AD2C1E4 ' }).onBehalfOf).toEqual({ puid: '00037ffe8AD2C1E4' });
    expect(filters({ onBehalfOf: '00037FFE8AD2C1E' }).onBehalfOf).toEqual({
      nameContains: '00037FFE8AD2C1E',
    });
    expect(filters({ onBehalfOf: '00037FFE8AD2C1E4A' }).onBehalfOf).toEqual({
      nameContains: '00037FFE8AD2C1E4A',
    });
    expect(filters({ onBehalfOf: 'x00037FFE8AD2C1E4' }).onBehalfOf).toEqual({
      nameContains: 'x00037FFE8AD2C1E4',
    });
    expect(filters({ onBehalfOf: ' Jon ' }).onBehalfOf).toEqual({ nameContains: 'Jon' });
  });

  it('refuses a blank onBehalfOf with 400 VALIDATION_FAILED', () => {
    expect(refusal({ onBehalfOf: '   ' })).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'onBehalfOf must not be blank.',
      details: undefined,
    });
  });

  it('splits outcome and reconciliation lists, without repeats', () => {
    expect(filters({ outcome: 'failed,pending,failed', reconciliation: 'mismatch' })).toEqual({
      outcome: ['failed', 'pending'],
      reconciliation: ['mismatch'],
    });
    expect(filters({ reconciliation: 'missing,match,missing' }).reconciliation).toEqual(['missing', 'match']);
  });

  describe('from / to', () => {
    const at = (q: Partial<AuditQueryDto>) => {
      const f = filters(q);
      return { from: f.from?.toISOString(), to: f.to?.toISOString() };
    };

    it('reads a bare date as midnight UTC, and as an upper bound the end of that day', () => {
      expect(at({ from: '2025-01-31', to: '2025-01-31' })).toEqual({
        from: '2025-01-31T00:00:00.000Z',
        to: '2025-02-01T00:00:00.000Z',
      });
      expect(at({ to: '2024-12-31' }).to).toBe('2025-01-01T00:00:00.000Z');
    });

    it('reads a date-time without a zone as UTC, and keeps minutes, seconds and fractions', () => {
      expect(at({ from: '2025-01-31T12:30' }).from).toBe('2025-01-31T12:30:00.000Z');
      expect(at({ from: '2025-01-31T12:30:15' }).from).toBe('2025-01-31T12:30:15.000Z');
      expect(at({ from: '2025-01-31T12:30:15.250' }).from).toBe('2025-01-31T12:30:15.250Z');
      expect(at({ from: '2025-01-31T12:30:15.123456' }).from).toBe('2025-01-31T12:30:15.123Z');
      expect(at({ to: '2025-01-31T23:59:59Z' }).to).toBe('2025-01-31T23:59:59.000Z');
    });

    it('reads a date-time without a zone as UTC also when the server runs in another time zone', () => {
      const tz = process.env.TZ;
      process.env.TZ = 'Asia/Kolkata';
      try {
        expect(at({ from: '2025-01-31T12:30', to: '2025-01-31T18:00:00.5' })).toEqual({
          from: '2025-01-31T12:30:00.000Z',
          to: '2025-01-31T18:00:00.500Z',
        });
      } finally {
        if (tz === undefined) delete process.env.TZ;
        else process.env.TZ = tz;
      }
    });

    it('reads the zone as Z, ±hh, ±hhmm or ±hh:mm', () => {
      expect(at({ from: '2025-01-31T12:00Z' }).from).toBe('2025-01-31T12:00:00.000Z');
      expect(at({ from: '2025-01-31T12:00+02' }).from).toBe('2025-01-31T10:00:00.000Z');
      expect(at({ from: '2025-01-31T12:00-0530' }).from).toBe('2025-01-31T17:30:00.000Z');
      expect(at({ from: '2025-01-31T12:00+05:30' }).from).toBe('2025-01-31T06:30:00.000Z');
    });

    it('accepts the last day of a month and 29 February of a leap year', () => {
      expect(at({ from: '2024-02-29', to: '2025-12-31' })).toEqual({
        from: '2024-02-29T00:00:00.000Z',
        to: '2026-01-01T00:00:00.000Z',
      });
      expect(at({ from: '2025-04-30' }).from).toBe('2025-04-30T00:00:00.000Z');
      expect(at({ from: '2025-01-01T00:00' }).from).toBe('2025-01-01T00:00:00.000Z');
    });

    it.each([
      ['2025-02-29'],
      ['2025-04-31'],
      ['2025-13-01'],
      ['2025-00-10'],
      ['2025-01-00'],
      ['2025-01-32'],
      ['2025-1-31'],
      ['25-01-31'],
      ['2025-01-31T24:00'],
      ['2025-01-31T12:60'],
      ['2025-01-31T12:00:60'],
      ['2025-01-31T12'],
      ['2025-01-31T12:00:00.1234567'],
      ['2025-01-31T12:00+24'],
      ['2025-01-31T12:00+05:60'],
      ['2025-01-31T12:00+5'],
      ['2025-01-31 12:00'],
      ['x2025-01-31'],
      ['2025-01-31x'],
      ['yesterday'],
    ])('refuses %s with 400 INVALID_DATE naming the parameter', (raw) => {
      expect(refusal({ from: raw })).toEqual({
        status: 400,
        code: 'INVALID_DATE',
        message: 'from must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T12:00:00Z).',
        details: { from: raw },
      });
      expect(refusal({ to: raw })).toMatchObject({
        code: 'INVALID_DATE',
        message: expect.stringMatching(/^to must be/),
        details: { to: raw },
      });
    });

    it('refuses a year below 100, which Date.UTC would read as 19xx', () => {
      expect(refusal({ from: '0050-01-01' })).toMatchObject({
        code: 'INVALID_DATE',
        details: { from: '0050-01-01' },
      });
      expect(refusal({ to: '0099-12-31' })).toMatchObject({ code: 'INVALID_DATE' });
      expect(filters({ from: '0100-01-01' }).from?.toISOString()).toBe('0100-01-01T00:00:00.000Z');
    });

    it('accepts the edges of each field', () => {
      expect(at({ from: '2025-12-31T23:59:59.999999+23:59' }).from).toBe('2025-12-31T00:00:59.999Z');
      expect(at({ from: '2025-01-01T00:00:00-00:00' }).from).toBe('2025-01-01T00:00:00.000Z');
      expect(at({ from: '2025-01-09T19:00' }).from).toBe('2025-01-09T19:00:00.000Z');
      expect(at({ from: '2025-01-10T20:00+19' }).from).toBe('2025-01-10T01:00:00.000Z');
    });

    it('refuses "from" not earlier than "to" with 400 INVALID_RANGE, as sent', () => {
      expect(refusal({ from: '2025-02-01', to: '2025-01-31T23:59' })).toEqual({
        status: 400,
        code: 'INVALID_RANGE',
        message: '"from" must be earlier than "to".',
        details: { from: '2025-02-01', to: '2025-01-31T23:59' },
      });
      expect(refusal({ from: '2025-02-01T00:00', to: '2025-02-01T00:00Z' })).toMatchObject({
        code: 'INVALID_RANGE',
      });
      // A bare "to" date covers its day, so the same date on both sides is a one-day range.
      expect(refusal({ from: '2025-02-01', to: '2025-02-01' })).toBeNull();
      expect(refusal({ from: '2025-02-01T00:00', to: '2025-02-01T00:00:00.001Z' })).toBeNull();
    });
  });
});

describe('query DTO transforms', () => {
  it('blankAsAbsent turns only the empty string into "absent"', () => {
    expect(blankAsAbsent({ value: '' })).toBeUndefined();
    expect(blankAsAbsent({ value: ' ' })).toBe(' ');
    expect(blankAsAbsent({ value: 'x' })).toBe('x');
  });

  it('toLimit reads a string as a number and leaves anything else as it is', () => {
    expect(toLimit({ value: '' })).toBeUndefined();
    expect(toLimit({ value: undefined })).toBeUndefined();
    expect(toLimit({ value: '25' })).toBe(25);
    expect(toLimit({ value: '2.5' })).toBe(2.5);
    expect(toLimit({ value: 7 })).toBe(7);
    expect(toLimit({ value: ['1'] })).toEqual(['1']);
  });
});

describe('query DTO validation', () => {
  const errors = async (cls: new () => object, q: Record<string, unknown>) =>
    (await validate(plainToInstance(cls, q))).flatMap((e) => Object.values(e.constraints ?? {}));

  it('accepts an empty query and blank fields', async () => {
    expect(await errors(AuditQueryDto, {})).toEqual([]);
    expect(
      await errors(AuditQueryDto, {
        orgId: '',
        actor: '',
        onBehalfOf: '',
        entity: '',
        from: '',
        to: '',
        outcome: '',
        reconciliation: '',
        cursor: '',
        limit: '',
      }),
    ).toEqual([]);
  });

  it('accepts outcome and reconciliation lists of known values only', async () => {
    expect(
      await errors(AuditQueryDto, {
        outcome: 'pending,completed,failed',
        reconciliation: 'match,mismatch,missing,not-stamped,unverified',
      }),
    ).toEqual([]);
    expect(await errors(AuditQueryDto, { outcome: 'failed,' })).toEqual([
      'outcome must be one or more of pending, completed, failed, comma-separated',
    ]);
    expect(await errors(AuditQueryDto, { outcome: 'xfailed' })).toHaveLength(1);
    expect(await errors(AuditQueryDto, { reconciliation: 'match,other' })).toEqual([
      'reconciliation must be one or more of match, mismatch, missing, not-stamped, unverified, comma-separated',
    ]);
  });

  it('accepts limits 1 to 500 as whole numbers from the query string', async () => {
    expect(await errors(AuditQueryDto, { limit: '1' })).toEqual([]);
    expect(await errors(AuditQueryDto, { limit: '500' })).toEqual([]);
    expect(await errors(AuditQueryDto, { limit: '0' })).toHaveLength(1);
    expect(await errors(AuditQueryDto, { limit: '501' })).toHaveLength(1);
    expect(await errors(AuditQueryDto, { limit: '2.5' })).toEqual(['limit must be a whole number']);
    expect(await errors(AdminAuditQueryDto, { limit: '500', cursor: '' })).toEqual([]);
    expect(await errors(AdminAuditQueryDto, { limit: 'ten' })).toContain('limit must be a whole number');
  });

  it('refuses an org id that is not a UUID and an entity that is not a logical name', async () => {
    expect(await errors(AuditQueryDto, { orgId: 'abc' })).toEqual(['orgId must be a UUID']);
    expect(await errors(AuditQueryDto, { entity: 'account;drop' })).toEqual([
      'entity must be a CRM entity logical name',
    ]);
    expect(await errors(AuditQueryDto, { entity: 'new_Thing_2' })).toEqual([]);
  });
});
