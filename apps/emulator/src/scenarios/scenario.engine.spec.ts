import { describe, expect, it } from 'vitest';
import { StateStore } from '../state/state.store';
import { emptySeed } from '../state/demo-seed';
import { ControlInputError, ScenarioEngine } from './scenario.engine';

async function engine(): Promise<ScenarioEngine> {
  const { store } = await StateStore.open(undefined, () =>
    emptySeed({ thumbprint: 'T', serialHex: '01', notAfter: '' }),
  );
  return new ScenarioEngine(store);
}

describe('ScenarioEngine', () => {
  it('applies a scenario to the next N calls, then drops it', async () => {
    const e = await engine();
    e.add({ name: 'HTTP_500', endpoint: 'crm', params: { count: 2 } });
    expect(e.takeTransport('crm', {})).toHaveLength(1);
    expect(e.takeTransport('discovery', {})).toHaveLength(0);
    expect(e.takeTransport('crm', {})).toHaveLength(1);
    expect(e.takeTransport('crm', {})).toHaveLength(0);
    expect(e.list()).toEqual([]);
  });

  it('matches org, account and user filters case-insensitively', async () => {
    const e = await engine();
    e.add({ name: 'DISABLED_ORG', org: 'Contoso' });
    e.add({ name: 'DISABLED_USER', user: '{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}' });
    expect(e.take('DISABLED_ORG', 'crm', { org: 'contoso' })).toBeDefined();
    expect(e.take('DISABLED_ORG', 'crm', { org: 'fabrikam' })).toBeUndefined();
    expect(e.take('DISABLED_USER', 'crm', { user: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c' })).toBeDefined();
  });

  it('never applies with fraction 0, always with fraction 1', async () => {
    const e = await engine();
    e.add({ name: 'SLOW', params: { fraction: 0, ms: 1 } });
    for (let i = 0; i < 20; i++) expect(e.takeTransport('crm', {})).toEqual([]);
    e.clear();
    e.add({ name: 'SLOW', params: { fraction: 1, ms: 1 } });
    expect(e.takeTransport('sts', {})).toHaveLength(1);
  });

  it('puts SLOW first so that latency precedes any other transport behaviour', async () => {
    const e = await engine();
    e.add({ name: 'HTTP_500' });
    e.add({ name: 'SLOW', params: { ms: 5 } });
    expect(e.takeTransport('crm', {}).map((s) => s.name)).toEqual(['SLOW', 'HTTP_500']);
  });

  it('refuses unknown names, endpoints and out-of-range parameters', async () => {
    const e = await engine();
    expect(() => e.add({ name: 'EVERYTHING' })).toThrow(ControlInputError);
    expect(() => e.add({ name: 'SLOW', endpoint: 'ftp' })).toThrow(/endpoint/);
    expect(() => e.add({ name: 'SLOW', params: { ms: -1 } })).toThrow(/ms/);
    expect(() => e.add({ name: 'THROTTLED', params: { status: 500 } })).toThrow(/status/);
    expect(() => e.add({ name: 'RANDOM_EXPIRY', params: { probability: 2 } })).toThrow(/probability/);
    expect(() => e.add({ name: 'USER_WITHOUT_RIGHT', params: { right: 'fly' } })).toThrow(/right/);
  });
});
