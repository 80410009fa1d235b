import { describe, expect, it } from 'vitest';
import { endUserName, stampId, stampName } from './end-user-format';

describe('end-user display', () => {
  it('names the end user, falling back to the Live ID', () => {
    const base = { puid: 'P', liveId: 'jonw@contoso.com', orgId: 'o', expiresAt: 0 };
    expect(endUserName({ ...base, firstName: 'Jon', lastName: 'Wilson' })).toBe('Jon Wilson');
    expect(endUserName({ ...base, firstName: null, lastName: null })).toBe('jonw@contoso.com');
  });

  it('reads a stamp: the name of the CRM user, else its id', () => {
    expect(stampName({ id: 'g', name: 'Jon Wilson' })).toBe('Jon Wilson');
    expect(stampId({ id: 'g', name: 'Jon Wilson' })).toBe('g');
    expect(stampName({ id: 'g', name: null })).toBe('g');
    expect(stampName(null)).toBe('—');
    expect(stampId(null)).toBeNull();
  });
});
