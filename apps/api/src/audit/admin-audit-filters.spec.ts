import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdminAuditFilters } from '../admin-audit/admin-audit.repository';
import { DomainException } from '../common/domain-exception';
import { AuditService } from './audit.service';
import type { AdminAuditQueryDto } from './dto/admin-audit-query.dto';

// listAdminAudit() needs only the admin audit's page(): a fake that records the filters it was given.
const seen: AdminAuditFilters[] = [];
const adminAudit = {
  page: (_limit: number, _before: string | undefined, filters: AdminAuditFilters) => {
    seen.push(filters);
    return Promise.resolve([]);
  },
};
const service = new AuditService(null as never, adminAudit as never);
const list = async (q: Partial<AdminAuditQueryDto>) => {
  seen.length = 0;
  await service.listAdminAudit(q as AdminAuditQueryDto);
  return seen.at(-1);
};
const refusal = async (q: Partial<AdminAuditQueryDto>) => {
  try {
    await list(q);
  } catch (e) {
    if (e instanceof DomainException)
      return { status: e.status, code: e.code, message: e.message, details: e.details };
    throw e;
  }
  return null;
};
const ORG = '0F8FAD5B-D9CB-469F-A165-70867728950E';

describe('AuditService.listAdminAudit filters', () => {
  it('refuses an unreadable from/to naming the parameter', async () => {
    const from = await refusal({ from: '2025-02-30' });
    expect(from).toMatchObject({ status: 400, code: 'INVALID_DATE', details: { from: '2025-02-30' } });
    expect(from?.message).toMatch(/^from must be/);
    const to = await refusal({ to: 'yesterday' });
    expect(to).toMatchObject({ status: 400, code: 'INVALID_DATE', details: { to: 'yesterday' } });
    expect(to?.message).toMatch(/^to must be/);
  });

  it('a bare date as `from` is midnight UTC, as `to` includes that whole day', async () => {
    const f = await list({ from: '2025-01-31', to: '2025-01-31' });
    expect(f?.from?.toISOString()).toBe('2025-01-31T00:00:00.000Z');
    expect(f?.to?.toISOString()).toBe('2025-02-01T00:00:00.000Z');
  });

  it('accepts a from alone or a to alone', async () => {
    expect((await list({ from: '2025-01-31' }))?.to).toBeUndefined();
    expect((await list({ to: '2025-01-31' }))?.from).toBeUndefined();
  });

  it('from not before to is 400 INVALID_RANGE with both values', async () => {
    expect(await refusal({ from: '2025-02-01', to: '2025-01-31' })).toEqual({
      status: 400,
      code: 'INVALID_RANGE',
      message: '"from" must be earlier than "to".',
      details: { from: '2025-02-01', to: '2025-01-31' },
    });
  });

  it('the org filter is lower-cased', async () => {
    expect((await list({ orgId: ORG }))?.orgId).toBe(ORG.toLowerCase());
  });

  describe('whatever the server time zone', () => {
    const saved = process.env.TZ;
    beforeEach(() => {
      process.env.TZ = 'Asia/Tokyo';
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it('a time without a zone reads as UTC', async () => {
      const f = await list({ from: '2025-01-31T12:00', to: '2025-01-31T12:30:15' });
      expect(f?.from?.toISOString()).toBe('2025-01-31T12:00:00.000Z');
      expect(f?.to?.toISOString()).toBe('2025-01-31T12:30:15.000Z');
    });
  });
});
