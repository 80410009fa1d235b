import { describe, expect, it } from 'vitest';
import { loginPath, safeNextPath } from './safe-next';

describe('safeNextPath', () => {
  it('keeps same-origin paths with their query', () => {
    expect(safeNextPath('/orgs/42?tab=1')).toBe('/orgs/42?tab=1');
  });

  it('refuses other origins and protocol-relative tricks', () => {
    expect(safeNextPath('https://evil.example/')).toBe('/');
    expect(safeNextPath('//evil.example/')).toBe('/');
    expect(safeNextPath('/\\evil.example')).toBe('/');
    expect(safeNextPath(null)).toBe('/');
  });

  it('does not loop back to the login page', () => {
    expect(safeNextPath('/login?next=/x')).toBe('/');
  });
});

describe('loginPath', () => {
  it('keeps the target path and the reason', () => {
    expect(loginPath('/audit?orgId=1', 'expired')).toBe('/login?next=%2Faudit%3ForgId%3D1&reason=expired');
    expect(loginPath('/')).toBe('/login');
  });
});
