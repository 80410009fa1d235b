import { describe, expect, it } from 'vitest';
import { DEFAULT_REQUIREMENT, type KeyGrant, requirementOf, scopeRefusal } from './api-key-scopes';

const A = '0b9e8a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21';
const B = '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910';
const calls = { scope: 'calls', orgParam: 'id' } as const;
const grant = (scopes: KeyGrant['scopes'], orgIds: string[] = []): KeyGrant => ({ scopes, orgIds });

describe('scopeRefusal (what a key lacks for a route)', () => {
  it('lets an admin key through every requirement, on any org', () => {
    expect(scopeRefusal(grant(['admin']), calls, { id: B })).toBeNull();
    expect(scopeRefusal(grant(['admin']), { scope: 'audit:read' }, {})).toBeNull();
    expect(scopeRefusal(grant(['admin']), DEFAULT_REQUIREMENT, {})).toBeNull();
  });

  it('names the missing scope when the key lacks it', () => {
    expect(scopeRefusal(grant(['calls'], [A]), { scope: 'audit:read' }, {})).toEqual({
      missingScope: 'audit:read',
    });
    expect(scopeRefusal(grant(['audit:read']), calls, { id: A })).toEqual({ missingScope: 'calls' });
    expect(scopeRefusal(grant(['calls', 'audit:read'], [A]), DEFAULT_REQUIREMENT, {})).toEqual({
      missingScope: 'admin',
    });
  });

  it('lets a per-org scope through only on an org the key names (case-insensitive ids)', () => {
    expect(scopeRefusal(grant(['calls'], [A, B]), calls, { id: B })).toBeNull();
    expect(scopeRefusal(grant(['calls'], [A]), calls, { id: A.toUpperCase() })).toBeNull();
    expect(scopeRefusal(grant(['calls'], [A]), calls, { id: B })).toEqual({
      missingScope: 'calls',
      orgId: B,
    });
  });

  it('refuses a per-org scope when the route has no such parameter or a repeated one', () => {
    expect(scopeRefusal(grant(['calls'], [A]), calls, {})).toEqual({ missingScope: 'calls', orgId: '' });
    expect(scopeRefusal(grant(['calls'], [A]), calls, { id: [A] })).toEqual({
      missingScope: 'calls',
      orgId: '',
    });
  });

  it('needs no org for a scope that is not per org', () => {
    expect(scopeRefusal(grant(['audit:read']), { scope: 'audit:read' }, { id: B })).toBeNull();
  });

  it('lets only a metrics:read or admin key read the metrics, naming metrics:read to the others', () => {
    const metrics = { scope: 'metrics:read' } as const;
    expect(scopeRefusal(grant(['metrics:read']), metrics, {})).toBeNull();
    expect(scopeRefusal(grant(['admin']), metrics, {})).toBeNull();
    expect(scopeRefusal(grant(['calls'], [A]), metrics, {})).toEqual({ missingScope: 'metrics:read' });
    expect(scopeRefusal(grant(['audit:read']), metrics, {})).toEqual({ missingScope: 'metrics:read' });
    // metrics:read implies nothing else: not the ledger, not an undeclared (admin) route.
    expect(scopeRefusal(grant(['metrics:read']), { scope: 'audit:read' }, {})).toEqual({
      missingScope: 'audit:read',
    });
    expect(scopeRefusal(grant(['metrics:read']), DEFAULT_REQUIREMENT, {})).toEqual({ missingScope: 'admin' });
  });

  it('refuses a key with no scopes everything', () => {
    expect(scopeRefusal(grant([]), { scope: 'audit:read' }, {})).toEqual({ missingScope: 'audit:read' });
  });
});

describe('requirementOf (the scope a route needs)', () => {
  it('takes the route decorator', () => {
    expect(requirementOf(calls)).toBe(calls);
  });

  it('needs admin for a route that declares nothing', () => {
    expect(requirementOf(undefined)).toEqual({ scope: 'admin' });
  });
});
