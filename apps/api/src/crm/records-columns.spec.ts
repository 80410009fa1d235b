import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/principal';
import type { CrmCallsService } from './crm-calls.service';
import { RecordsController } from './records.controller';

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const ctx: RequestContext = { principal: null, requestId: 'req-7', ip: null, userAgent: null };

describe('RecordsController columns', () => {
  it('refuses a column list in which only one name is bad, and says what the list must be', () => {
    const asked: unknown[] = [];
    const crm = { retrieve: async (...a: unknown[]) => asked.push(a) } as unknown as CrmCallsService;
    const c = new RecordsController(crm, {} as AuditService);
    expect(() => c.retrieve(ORG, 'account', REC, 'name,Revenue,telephone1', ctx)).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'INVALID_COLUMNS',
        message: 'columns is a comma-separated list of attribute names.',
      }),
    );
    expect(asked).toEqual([]);
  });
});
