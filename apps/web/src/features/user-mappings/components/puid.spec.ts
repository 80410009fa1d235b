import { describe, expect, it } from 'vitest';
import { normalizePuid, puidError } from './puid';

describe('PUID input', () => {
  it('accepts 16 hex digits in any case and spacing', () => {
    expect(normalizePuid(' 00037ffe 8a0b1c2d ')).toBe('00037FFE8A0B1C2D');
    expect(puidError('00037ffe8a0b1c2d')).toBeNull();
  });

  it('explains what a PUID looks like', () => {
    expect(puidError('')).toBe('Enter a PUID');
    expect(puidError('jon@contoso.com')).toMatch(/16 hexadecimal digits/);
  });
});
