import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/app-config';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/onbehalf',
  ONBEHALF_KEK_spec: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadConfig: ONBEHALF_ALLOW_LEGACY_RSA_KEYS (short RSA keys for legacy orgs)', () => {
  it('is off unless set, and off for an empty value', () => {
    expect(loadConfig(base).allowLegacyRsaKeys).toBe(false);
    expect(loadConfig({ ...base, ONBEHALF_ALLOW_LEGACY_RSA_KEYS: ' ' }).allowLegacyRsaKeys).toBe(false);
  });

  it('takes on and off, trimmed', () => {
    expect(loadConfig({ ...base, ONBEHALF_ALLOW_LEGACY_RSA_KEYS: ' on ' }).allowLegacyRsaKeys).toBe(true);
    expect(loadConfig({ ...base, ONBEHALF_ALLOW_LEGACY_RSA_KEYS: 'off' }).allowLegacyRsaKeys).toBe(false);
  });

  it.each(['true', '1', 'ON', 'yes'])(
    'refuses %s, naming the variable (a typo must not stay silent)',
    (value) => {
      let thrown: unknown;
      try {
        loadConfig({ ...base, ONBEHALF_ALLOW_LEGACY_RSA_KEYS: value });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).variable).toBe('ONBEHALF_ALLOW_LEGACY_RSA_KEYS');
      expect((thrown as ConfigError).message).toBe(
        `ONBEHALF_ALLOW_LEGACY_RSA_KEYS: must be on or off, got "${value}"`,
      );
    },
  );
});
