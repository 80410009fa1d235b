import { describe, expect, it } from 'vitest';
import { DomainException } from '../../common/domain-exception';
import { globalValidationPipe } from '../../common/validation';
import { parseWhoAmIBody, parseWriteRecordBody } from './record-body.pipe';
import { WhoAmIDto, WriteRecordDto } from './record.dto';

/**
 * A null member of onBehalfOf means no value to the service (it tests each member for truth): class-transformer
 * keeps it, the pipe leaves it out. Compared without it.
 */
function withoutNullMembers(value: unknown): unknown {
  const v = JSON.parse(JSON.stringify(value)) as { onBehalfOf?: Record<string, unknown> | null };
  if (v.onBehalfOf && typeof v.onBehalfOf === 'object') {
    for (const [k, m] of Object.entries(v.onBehalfOf)) if (m === null) delete v.onBehalfOf[k];
  }
  return v;
}

/** What class-validator (the API's global pipe over the DTO) makes of a body: the value, or 'refused'. */
async function byDto(metatype: typeof WriteRecordDto | typeof WhoAmIDto, body: unknown): Promise<unknown> {
  try {
    return withoutNullMembers(await globalValidationPipe().transform(body, { type: 'body', metatype }));
  } catch (err) {
    if (err instanceof DomainException && err.code === 'VALIDATION_FAILED') return 'refused';
    throw err;
  }
}

function byPipe(parse: (b: unknown) => unknown, body: unknown): unknown {
  try {
    return withoutNullMembers(parse(body));
  } catch (err) {
    if (err instanceof DomainException && err.code === 'VALIDATION_FAILED') return 'refused';
    throw err;
  }
}

// A small deterministic generator (mulberry32), so a failure names a seed that reproduces it.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IDS = [
  'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607', // v4
  '01890a5d-ac96-774b-bcce-b302099a8057', // v7
  'A3F1C2D4-5B6E-4F70-8A91-B2C3D4E5F607', // upper case
  '00000000-0000-0000-0000-000000000000', // nil
  'ffffffff-ffff-ffff-ffff-ffffffffffff', // max
  'a3f1c2d4-5b6e-0f70-8a91-b2c3d4e5f607', // version 0
  'a3f1c2d4-5b6e-9f70-8a91-b2c3d4e5f607', // version 9
  'a3f1c2d4-5b6e-4f70-7a91-b2c3d4e5f607', // variant 0
  '{a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607}',
  'a3f1c2d45b6e4f708a91b2c3d4e5f607',
  'not-a-uuid',
  '',
];
const PUIDS = [
  '0003BFFD8F3A5B21',
  '0003bffd8f3a5b21',
  '0003BFFD8F3A5B2',
  '0003BFFD8F3A5B211',
  '0003BFFD8F3A5G21',
  '',
];
const SCALARS: unknown[] = [null, 'x', 42, true, 0, [], [1], ['a', 'b'], {}, { a: 1 }];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function onBehalfOf(r: () => number): unknown {
  if (r() < 0.15)
    return pick(
      r,
      SCALARS.filter((v) => !Array.isArray(v)),
    );
  const o: Record<string, unknown> = {};
  if (r() < 0.5) o.puid = r() < 0.8 ? pick(r, PUIDS) : pick(r, SCALARS);
  if (r() < 0.4) o.userId = r() < 0.8 ? pick(r, IDS) : pick(r, SCALARS);
  if (r() < 0.4) o.entraObjectId = r() < 0.8 ? pick(r, IDS) : pick(r, SCALARS);
  if (r() < 0.1) o.role = 'admin';
  return o;
}

function writeBody(r: () => number): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  if (r() < 0.85) b.attributes = r() < 0.75 ? { name: 'Fourth Coffee', n: 3, ok: true } : pick(r, SCALARS);
  if (r() < 0.7) b.onBehalfOf = onBehalfOf(r);
  if (r() < 0.08) b.isAdmin = true;
  return b;
}

describe('record bodies: the compiled checks decide as class-validator does over the DTOs', () => {
  it('accepts and refuses the same 3,000 generated Create/Update bodies, and passes on the same values', async () => {
    const r = rng(20261203);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const body = writeBody(r);
      const want = await byDto(WriteRecordDto, body);
      expect(byPipe(parseWriteRecordBody, body), `case ${i}: ${JSON.stringify(body)}`).toEqual(want);
      if (want === 'refused') refused++;
    }
    // The generator reaches both sides often enough to mean something.
    expect(refused).toBeGreaterThan(600);
    expect(refused).toBeLessThan(2400);
  });

  it('accepts and refuses the same 1,000 generated WhoAmI bodies', async () => {
    const r = rng(7);
    for (let i = 0; i < 1000; i++) {
      const body: Record<string, unknown> = {};
      if (r() < 0.8) body.onBehalfOf = onBehalfOf(r);
      if (r() < 0.08) body.extra = 1;
      expect(byPipe(parseWhoAmIBody, body), `case ${i}: ${JSON.stringify(body)}`).toEqual(
        await byDto(WhoAmIDto, body),
      );
    }
  });

  it('refuses a body that is not an object (array, string, number) with VALIDATION_FAILED', () => {
    for (const body of [[{ attributes: { name: 'x' } }], 'attributes', 3, null]) {
      expect(byPipe(parseWriteRecordBody, body)).toBe('refused');
    }
    expect(byPipe(parseWhoAmIBody, [])).toBe('refused');
  });

  it('takes a WhoAmI without a body as a call for the service account itself', () => {
    expect(parseWhoAmIBody(undefined)).toEqual({});
  });
});

describe('record bodies: where the compiled checks differ from class-validator, on purpose', () => {
  it('refuses an array in place of onBehalfOf, which class-validator let through as no user at all', async () => {
    for (const onBehalfOf of [[], [{ puid: '0003BFFD8F3A5B21' }]]) {
      const body = { attributes: { name: 'x' }, onBehalfOf };
      // class-validator validated each element and passed the array on: the call then ran as the service account.
      expect(await byDto(WriteRecordDto, body)).not.toBe('refused');
      expect(byPipe(parseWriteRecordBody, body)).toBe('refused');
    }
  });
});

describe('record bodies: errors name each field and its problem', () => {
  it('lists every problem of a body in one 400, nested fields by their path', () => {
    let caught: unknown;
    try {
      parseWriteRecordBody({
        attributes: 'name=x',
        onBehalfOf: { puid: 42, userId: 'nope', role: 'admin' },
        x: 1,
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DomainException);
    const e = caught as DomainException;
    expect(e.status).toBe(400);
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.details).toEqual({
      fields: [
        { field: 'x', problems: ['property x should not exist'] },
        { field: 'attributes', problems: ['attributes must be an object'] },
        { field: 'onBehalfOf.role', problems: ['property onBehalfOf.role should not exist'] },
        {
          field: 'onBehalfOf.puid',
          problems: [
            'onBehalfOf.puid must be a string',
            'onBehalfOf.puid must be 16 hexadecimal digits (HexPUID)',
          ],
        },
        { field: 'onBehalfOf.userId', problems: ['onBehalfOf.userId must be a UUID'] },
      ],
    });
    expect(e.message).toBe(
      'property x should not exist; attributes must be an object; property onBehalfOf.role should not exist; ' +
        'onBehalfOf.puid must be a string; onBehalfOf.puid must be 16 hexadecimal digits (HexPUID); ' +
        'onBehalfOf.userId must be a UUID',
    );
  });
});
