import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import {
  callerOf,
  canonicalJson,
  decide,
  type KeyedRequest,
  type KeyView,
  parseIdempotencyKey,
  provenNotExecuted,
  requestHash,
} from './idempotency-key';

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';

const request = (over: Partial<KeyedRequest> = {}): KeyedRequest => ({
  operation: 'Create',
  orgId: ORG,
  entity: 'account',
  recordId: null,
  caller: 'api-key:k1',
  body: { attributes: { name: 'Fourth Coffee', address1_city: 'Oslo' }, onBehalfOf: { puid: 'P' } },
  ...over,
});

const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof DomainException ? `${err.status} ${err.code}` : 'not a DomainException';
  }
};

describe('parseIdempotencyKey', () => {
  it('no header: the call is not keyed', () => {
    expect(parseIdempotencyKey(undefined)).toBeNull();
  });

  it('takes 1 to 255 printable ASCII characters as they are, space and ~ included', () => {
    expect(parseIdempotencyKey('k')).toBe('k');
    expect(parseIdempotencyKey(' order 42 ~')).toBe(' order 42 ~');
    expect(parseIdempotencyKey('x'.repeat(255))).toBe('x'.repeat(255));
  });

  it('refuses an empty key, one of 256 characters and any character outside space..~ with 400 IDEMPOTENCY_KEY_INVALID', () => {
    for (const bad of ['', 'x'.repeat(256), 'a\tb', 'a\u001fb', 'a\u007fb', 'caf\u00e9', 'ключ', 'a\nb']) {
      expect(
        codeOf(() => parseIdempotencyKey(bad)),
        JSON.stringify(bad),
      ).toBe('400 IDEMPOTENCY_KEY_INVALID');
    }
  });
});

describe('canonicalJson', () => {
  it('sorts object members at every depth, keeps array order, and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson([undefined, 'x'])).toBe('[null,"x"]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });
});

describe('requestHash', () => {
  it('is the SHA-256 (hex) of the canonical request', () => {
    const r = request();
    const canonical = canonicalJson([r.operation, r.orgId, r.entity, null, r.caller, r.body]);
    expect(requestHash(r)).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(requestHash(r)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of attributes or body members', () => {
    expect(
      requestHash(
        request({
          body: { onBehalfOf: { puid: 'P' }, attributes: { address1_city: 'Oslo', name: 'Fourth Coffee' } },
        }),
      ),
    ).toBe(requestHash(request()));
  });

  it('changes with the body, a value type, the route, the org, the entity, the record and the caller', () => {
    const base = requestHash(request());
    const others = [
      request({ body: { attributes: { name: 'Fourth Coffee' }, onBehalfOf: { puid: 'P' } } }),
      request({
        body: { attributes: { name: 'Fourth Coffee', address1_city: 'Bergen' }, onBehalfOf: { puid: 'P' } },
      }),
      request({ body: { attributes: { name: 'Fourth Coffee', address1_city: 'Oslo' }, onBehalfOf: null } }),
      request({
        body: {
          attributes: { name: 'Fourth Coffee', address1_city: 'Oslo', n: 1 },
          onBehalfOf: { puid: 'P' },
        },
      }),
      request({
        body: {
          attributes: { name: 'Fourth Coffee', address1_city: 'Oslo', n: '1' },
          onBehalfOf: { puid: 'P' },
        },
      }),
      request({ operation: 'Update' }),
      request({ orgId: '11111111-0000-4000-8000-000000000002' }),
      request({ entity: 'contact' }),
      request({ recordId: REC }),
      request({ caller: 'api-key:k2' }),
    ].map(requestHash);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('an array in another order is another request', () => {
    expect(requestHash(request({ body: { a: [1, 2] } }))).not.toBe(
      requestHash(request({ body: { a: [2, 1] } })),
    );
  });
});

describe('callerOf', () => {
  it('names an API key by its id, a console user by theirs, else the email, and no principal as anonymous', () => {
    expect(callerOf({ kind: 'api-key', apiKeyId: 'k1', userId: null, email: 'isv@x' })).toBe('api-key:k1');
    expect(callerOf({ kind: 'session', apiKeyId: null, userId: 'u1', email: 'a@x' })).toBe('session:u1');
    expect(callerOf({ kind: 'session', apiKeyId: null, userId: null, email: 'a@x' })).toBe('session:a@x');
    expect(callerOf(null)).toBe('anonymous');
  });
});

describe('decide (the key state machine)', () => {
  const me = { instance: 'api-1', boot: 'boot-now' };
  const HASH = 'h'.repeat(64);
  const row = (over: Partial<KeyView> = {}): KeyView => ({
    requestHash: HASH,
    state: 'in_flight',
    ownerInstance: 'api-2',
    ownerBoot: 'boot-2',
    leaseExpired: false,
    ...over,
  });

  it('another request with the key is a reuse, whatever the state of the key', () => {
    expect(decide(row({ state: 'completed' }), 'other', me)).toBe('reused');
    expect(decide(row(), 'other', me)).toBe('reused');
    expect(decide(row({ leaseExpired: true }), 'other', me)).toBe('reused');
    expect(decide(row({ ownerInstance: 'api-1', ownerBoot: 'boot-old' }), 'other', me)).toBe('reused');
  });

  it('a completed key replays, even when its owner is gone', () => {
    expect(decide(row({ state: 'completed' }), HASH, me)).toBe('replay');
    expect(decide(row({ state: 'completed', leaseExpired: true }), HASH, me)).toBe('replay');
    expect(decide(row({ state: 'completed', ownerInstance: 'api-1', ownerBoot: 'boot-old' }), HASH, me)).toBe(
      'replay',
    );
  });

  it('in flight on another instance within its lease, or in this very process: in progress', () => {
    expect(decide(row(), HASH, me)).toBe('in-progress');
    expect(decide(row({ ownerInstance: 'api-1', ownerBoot: 'boot-now' }), HASH, me)).toBe('in-progress');
  });

  it('in flight, owned by an earlier run of this instance (same name, another boot): recover at once', () => {
    expect(decide(row({ ownerInstance: 'api-1', ownerBoot: 'boot-old' }), HASH, me)).toBe('recover');
  });

  it('in flight with its lease run out, whoever owns it: recover', () => {
    expect(decide(row({ leaseExpired: true }), HASH, me)).toBe('recover');
    expect(decide(row({ leaseExpired: true, ownerInstance: 'api-1', ownerBoot: 'boot-now' }), HASH, me)).toBe(
      'recover',
    );
  });
});

describe('provenNotExecuted', () => {
  it('a refusal by this API (no protocol code) or a protocol failure with executed: false proves CRM did nothing', () => {
    expect(provenNotExecuted(new DomainException(503, 'ORG_CIRCUIT_OPEN', 'open'))).toBe(true);
    expect(
      provenNotExecuted(
        new DomainException(403, 'CRM_PRIVILEGE_DENIED', 'no', {
          protocolCode: 'ERR_CRM_PRIVILEGE_DENIED',
          executed: false,
        }),
      ),
    ).toBe(true);
  });

  it('a protocol failure that may have run (executed true or unknown) and anything else leave the outcome unknown', () => {
    expect(
      provenNotExecuted(new DomainException(504, 'CRM_TIMEOUT', 't', { protocolCode: 'ERR_TIMEOUT' })),
    ).toBe(false);
    expect(
      provenNotExecuted(
        new DomainException(502, 'CRM_BAD_REPLY', 'x', { protocolCode: 'ERR_XML_MALFORMED', executed: true }),
      ),
    ).toBe(false);
    expect(provenNotExecuted(new Error('database down'))).toBe(false);
    expect(provenNotExecuted('boom')).toBe(false);
  });
});
