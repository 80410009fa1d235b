import { describe, expect, it } from 'vitest';
import { formatActor, formatStamp } from './format-actor';

const serviceAccount = { id: 'sa', name: 'ERP_Integration' };

describe('formatActor', () => {
  it('writes an impersonated call as "<service account> on behalf of <user>"', () => {
    expect(
      formatActor({ serviceAccount, onBehalfOf: { id: 'u1', name: 'Jon Wilson', puid: '00037FFE8A0B1C2D' } }),
    ).toBe('ERP_Integration on behalf of Jon Wilson');
  });

  it('says when the service account acted as itself', () => {
    expect(formatActor({ serviceAccount, onBehalfOf: null })).toBe('ERP_Integration (no impersonation)');
  });

  it('falls back to the PUID, then the id, when the user has no name yet', () => {
    expect(
      formatActor({ serviceAccount, onBehalfOf: { id: 'u1', name: null, puid: '00037FFE8A0B1C2D' } }),
    ).toBe('ERP_Integration on behalf of PUID 00037FFE8A0B1C2D');
    expect(formatActor({ serviceAccount, onBehalfOf: { id: 'u1', name: null, puid: null } })).toBe(
      'ERP_Integration on behalf of u1',
    );
  });
});

describe('formatStamp', () => {
  it('shows the name, else the id', () => {
    expect(formatStamp({ id: '1', name: 'Jon Wilson' })).toBe('Jon Wilson');
    expect(formatStamp({ id: '1', name: null })).toBe('1');
    expect(formatStamp(null)).toBe('—');
  });
});
