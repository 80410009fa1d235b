import { describe, expect, it } from 'vitest';
import type { OverviewOrg } from '@/types/api';
import { attentionFirst } from './attention-first';

const org = (id: string, over: Partial<OverviewOrg> = {}): OverviewOrg => ({
  id,
  friendlyName: id,
  organizationName: null,
  status: 'active',
  ticket: null,
  certificate: null,
  calls24h: 0,
  failures24h: 0,
  expiredFaults24h: 0,
  breaker: 'closed',
  attention: [],
  ...over,
});

describe('attentionFirst', () => {
  it('puts orgs needing attention first and keeps the order otherwise', () => {
    const sorted = attentionFirst([
      org('a'),
      org('b', { attention: ['Ticket failing'] }),
      org('c'),
      org('d', { status: 'failed' }),
    ]);
    expect(sorted.map((o) => o.id)).toEqual(['b', 'd', 'a', 'c']);
  });
});
