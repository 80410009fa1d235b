import { availableParallelism, hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/onbehalf',
  ONBEHALF_KEK_spec: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadConfig: ONBEHALF_INSTANCE_ID', () => {
  it('defaults to <hostname>:<pid>', () => {
    expect(loadConfig(base).instanceId).toBe(`${hostname()}:${process.pid}`);
  });

  it('takes the configured id, trimmed', () => {
    expect(loadConfig({ ...base, ONBEHALF_INSTANCE_ID: '  api-7f9c-0  ' }).instanceId).toBe('api-7f9c-0');
  });

  it('an empty value means the default', () => {
    expect(loadConfig({ ...base, ONBEHALF_INSTANCE_ID: '  ' }).instanceId).toBe(
      `${hostname()}:${process.pid}`,
    );
  });

  it.each([
    ['a space inside', 'api 1'],
    ['a control character', 'api\u0001'],
    ['over 100 characters', 'x'.repeat(101)],
  ])('refuses an id with %s, naming the variable', (_what, value) => {
    let thrown: unknown;
    try {
      loadConfig({ ...base, ONBEHALF_INSTANCE_ID: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe('ONBEHALF_INSTANCE_ID');
  });
});

describe('loadConfig: ONBEHALF_CRM_CONNECTIONS', () => {
  it('defaults to 32 connections per CRM host and takes up to 4096', () => {
    expect(loadConfig(base).crmConnections).toBe(32);
    expect(loadConfig({ ...base, ONBEHALF_CRM_CONNECTIONS: '512' }).crmConnections).toBe(512);
    expect(loadConfig({ ...base, ONBEHALF_CRM_CONNECTIONS: '4096' }).crmConnections).toBe(4096);
  });

  it.each([
    ['0', 'must be between 1 and 4096, got 0'],
    ['4097', 'must be between 1 and 4096, got 4097'],
    ['many', 'must be a whole number, got "many"'],
  ])('refuses %s, naming the variable', (value, message) => {
    expect(() => loadConfig({ ...base, ONBEHALF_CRM_CONNECTIONS: value })).toThrow(
      expect.objectContaining({ message: expect.stringContaining(message) }),
    );
    expect(() => loadConfig({ ...base, ONBEHALF_CRM_CONNECTIONS: value })).toThrow(
      /ONBEHALF_CRM_CONNECTIONS/,
    );
  });
});

describe('loadConfig: ONBEHALF_API_WORKERS', () => {
  it('defaults to one process, takes 1 to 64, and auto means one per core', () => {
    expect(loadConfig(base).apiWorkers).toBe(1);
    expect(loadConfig({ ...base, ONBEHALF_API_WORKERS: '2' }).apiWorkers).toBe(2);
    expect(loadConfig({ ...base, ONBEHALF_API_WORKERS: '64' }).apiWorkers).toBe(64);
    expect(loadConfig({ ...base, ONBEHALF_API_WORKERS: ' auto ' }).apiWorkers).toBe(
      Math.min(availableParallelism(), 64),
    );
  });

  it.each([
    ['0', 'must be between 1 and 64, got 0'],
    ['65', 'must be between 1 and 64, got 65'],
    ['all', 'must be a whole number, got "all"'],
  ])('refuses %s, naming the variable', (value, message) => {
    expect(() => loadConfig({ ...base, ONBEHALF_API_WORKERS: value })).toThrow(
      `ONBEHALF_API_WORKERS: ${message}`,
    );
  });
});

describe('loadConfig: ONBEHALF_ENTRA_AUTHORITY_URL', () => {
  it("defaults to the identity platform's public host", () => {
    expect(loadConfig(base).entraAuthorityUrl).toBe('https://login.microsoftonline.com');
  });

  it('takes the configured host without its trailing slashes', () => {
    expect(
      loadConfig({ ...base, ONBEHALF_ENTRA_AUTHORITY_URL: 'https://localhost:8443//' }).entraAuthorityUrl,
    ).toBe('https://localhost:8443');
  });

  it('refuses a plain http authority, naming the variable', () => {
    expect(() => loadConfig({ ...base, ONBEHALF_ENTRA_AUTHORITY_URL: 'http://localhost:8443' })).toThrow(
      expect.objectContaining({ variable: 'ONBEHALF_ENTRA_AUTHORITY_URL' }),
    );
  });
});
