import { describe, expect, it } from 'vitest';
import { isLoopback } from './control-api.handler';

describe('isLoopback', () => {
  it('accepts 127.0.0.0/8, ::1 and IPv4-mapped loopback', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.2'])
      expect(isLoopback(a), a).toBe(true);
  });

  it('refuses every other address', () => {
    for (const a of ['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '0.0.0.0', '128.0.0.1', '', undefined]) {
      expect(isLoopback(a), String(a)).toBe(false);
    }
  });
});
