import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/principal';
import type { CrmCallsService } from './crm-calls.service';
import { RecordsController } from './records.controller';

/** The response object is optional: a keyed Create or Update replayed without one (a direct call) still answers. */
const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const ctx: RequestContext = { principal: null, requestId: 'req-1', ip: null, userAgent: null };

describe('RecordsController replay without a response object', () => {
  const crm = {
    createOnce: async () => ({ body: { id: REC, ledgerId: 'ledger-1' }, replayed: true }),
    updateOnce: async () => ({ body: { ledgerId: 'ledger-2' }, replayed: true }),
  } as unknown as CrmCallsService;
  const c = new RecordsController(crm, {} as AuditService);

  it('a replayed keyed Create answers its first reply', async () => {
    expect(await c.create(ORG, 'account', { attributes: { name: 'x' } }, ctx, 'k-1')).toEqual({
      id: REC,
      ledgerId: 'ledger-1',
    });
  });

  it('a replayed keyed Update answers its first reply', async () => {
    expect(await c.update(ORG, 'account', REC, { attributes: { name: 'x' } }, ctx, 'k-2')).toEqual({
      ledgerId: 'ledger-2',
    });
  });
});
