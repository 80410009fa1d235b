import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmulatorConfigError, loadEmulatorConfig } from './emulator.config';

const ROOT = '/repo';

describe('loadEmulatorConfig', () => {
  it('fills every default', () => {
    expect(loadEmulatorConfig({}, ROOT)).toEqual({
      port: 8443,
      host: '127.0.0.1',
      hostnames: ['localhost'],
      dataDir: path.resolve(ROOT, '.data/emulator'),
      demoDir: path.resolve(ROOT, '.data/demo'),
      seed: 'demo',
      crmTicketLifetimeSec: 28800,
      passportTicketLifetimeSec: 86400,
      rpsTicketLifetimeSec: 600,
    });
  });

  it('reads every variable', () => {
    const config = loadEmulatorConfig(
      {
        EMULATOR_PORT: '9443',
        EMULATOR_LISTEN_HOST: '0.0.0.0',
        EMULATOR_HOSTNAMES: 'crm.test, localhost ,127.0.0.1',
        EMULATOR_DATA_DIR: 'tmp/emu',
        EMULATOR_DEMO_DIR: '/abs/demo',
        EMULATOR_CRM_TICKET_LIFETIME_SEC: '5',
        EMULATOR_PASSPORT_TICKET_LIFETIME_SEC: '60',
        EMULATOR_RPS_TICKET_LIFETIME_SEC: '30',
        EMULATOR_SEED: 'none',
      },
      ROOT,
    );
    expect(config).toMatchObject({
      port: 9443,
      host: '0.0.0.0',
      hostnames: ['crm.test', 'localhost', '127.0.0.1'],
      dataDir: path.resolve(ROOT, 'tmp/emu'),
      demoDir: '/abs/demo',
      crmTicketLifetimeSec: 5,
      passportTicketLifetimeSec: 60,
      rpsTicketLifetimeSec: 30,
      seed: 'none',
    });
  });

  const bad: Array<[string, string]> = [
    ['EMULATOR_PORT', '70000'],
    ['EMULATOR_PORT', 'eighty'],
    ['EMULATOR_PORT', '-1'],
    ['EMULATOR_CRM_TICKET_LIFETIME_SEC', '0'],
    ['EMULATOR_PASSPORT_TICKET_LIFETIME_SEC', '1.5'],
    ['EMULATOR_RPS_TICKET_LIFETIME_SEC', 'soon'],
    ['EMULATOR_SEED', 'everything'],
    ['EMULATOR_HOSTNAMES', 'bad host'],
    ['EMULATOR_LISTEN_HOST', '0.0.0.0 1'],
  ];
  for (const [variable, value] of bad) {
    it(`names ${variable} when it is '${value}'`, () => {
      const attempt = (): unknown => loadEmulatorConfig({ [variable]: value }, ROOT);
      expect(attempt).toThrow(EmulatorConfigError);
      expect(attempt).toThrow(new RegExp(`^${variable}:`));
    });
  }
});
