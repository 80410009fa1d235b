import { describe, expect, it } from 'vitest';
import { checkSessionOptions } from '../../src/session/session-options';
import type { CrmSessionOptions } from '../../src/session/crm-session';
import { serviceAccountBundle } from '../helpers/fake-services';
import { invalidOptions } from '../helpers/invalid-options';

describe('CrmSession connections option', () => {
  const base: CrmSessionOptions = {
    discoveryUrl: 'https://dev.crm.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
    organizationName: 'contoso',
    certificate: serviceAccountBundle(),
  };

  it('defaults to 32 and takes a whole number up to 4096', () => {
    expect(checkSessionOptions(base).connections).toBe(32);
    expect(checkSessionOptions({ ...base, connections: 1 }).connections).toBe(1);
    expect(checkSessionOptions({ ...base, connections: 4096 }).connections).toBe(4096);
  });

  it.each([
    [0, 'connections must be a positive number'],
    ['8', 'connections must be a positive number'],
    [1.5, 'connections must be an integer from 1 to 4096'],
    [4097, 'connections must be an integer from 1 to 4096'],
  ])('refuses %o: %s', (connections, message) => {
    expect(() => checkSessionOptions({ ...base, connections: connections as number })).toThrow(
      invalidOptions(message),
    );
  });
});
