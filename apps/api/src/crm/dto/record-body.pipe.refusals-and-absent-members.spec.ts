import { describe, expect, it } from 'vitest';
import { DomainException } from '../../common/domain-exception';
import {
  parseWhoAmIBody,
  parseWriteRecordBody,
  WhoAmIBodyPipe,
  WriteRecordBodyPipe,
} from './record-body.pipe';

/** The DomainException a parse throws (fails the test when it does not throw one). */
function refusal(parse: () => unknown): DomainException {
  let caught: unknown;
  try {
    parse();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainException);
  const e = caught as DomainException;
  expect(e.status).toBe(400);
  expect(e.code).toBe('VALIDATION_FAILED');
  return e;
}

const PUID = '0003BFFD8F3A5B21';
const UUID = 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607';

describe('record bodies: each refusal names its field and says why', () => {
  it('a body that is not a JSON object: field "" and the message saying so', () => {
    for (const body of [[], 'x', 3, null]) {
      for (const parse of [parseWriteRecordBody, parseWhoAmIBody]) {
        const e = refusal(() => parse(body));
        expect(e.details).toEqual({
          fields: [{ field: '', problems: ['The request body must be a JSON object.'] }],
        });
        expect(e.message).toBe('The request body must be a JSON object.');
      }
    }
  });

  it('an onBehalfOf that is not an object (string, number, boolean): field onBehalfOf and its message', () => {
    for (const onBehalfOf of ['0003BFFD8F3A5B21', 42, true]) {
      const write = refusal(() => parseWriteRecordBody({ attributes: { name: 'x' }, onBehalfOf }));
      const whoAmI = refusal(() => parseWhoAmIBody({ onBehalfOf }));
      for (const e of [write, whoAmI]) {
        expect(e.details).toEqual({
          fields: [{ field: 'onBehalfOf', problems: ['onBehalfOf must be an object'] }],
        });
        expect(e.message).toBe('onBehalfOf must be an object');
      }
    }
  });

  it('a WhoAmI body with another member: that member by its own name, without a prefix', () => {
    const e = refusal(() => parseWhoAmIBody({ onBehalfOf: { puid: PUID }, extra: 1 }));
    expect(e.details).toEqual({
      fields: [{ field: 'extra', problems: ['property extra should not exist'] }],
    });
    expect(e.message).toBe('property extra should not exist');
  });

  it('a puid given as a 16-digit number: both the string and the HexPUID problems', () => {
    // String(1234567890123456) would pass the HexPUID pattern: the number is refused for not being a string.
    const e = refusal(() => parseWhoAmIBody({ onBehalfOf: { puid: 1234567890123456 } }));
    expect(e.details).toEqual({
      fields: [
        {
          field: 'onBehalfOf.puid',
          problems: [
            'onBehalfOf.puid must be a string',
            'onBehalfOf.puid must be 16 hexadecimal digits (HexPUID)',
          ],
        },
      ],
    });
  });

  it('a userId or entraObjectId given as an array holding a UUID: refused as not a UUID', () => {
    // String([uuid]) is the UUID itself: the array is refused for not being a string.
    for (const name of ['userId', 'entraObjectId'] as const) {
      const e = refusal(() =>
        parseWriteRecordBody({ attributes: { name: 'x' }, onBehalfOf: { [name]: [UUID] } }),
      );
      expect(e.details).toEqual({
        fields: [{ field: `onBehalfOf.${name}`, problems: [`onBehalfOf.${name} must be a UUID`] }],
      });
    }
  });
});

describe('record bodies: absent or null members are left out of the parsed value, not set to undefined/null', () => {
  it('a Create/Update body without onBehalfOf parses to attributes alone', () => {
    const out = parseWriteRecordBody({ attributes: { name: 'x' } });
    expect(Object.keys(out)).toEqual(['attributes']);
    expect(out).toStrictEqual({ attributes: { name: 'x' } });
  });

  it('a WhoAmI body without onBehalfOf parses to an empty object', () => {
    const out = parseWhoAmIBody({});
    expect(Object.keys(out)).toEqual([]);
    expect(out).toStrictEqual({});
  });

  it('an onBehalfOf with no members, or only null ones, parses to an object with no keys', () => {
    for (const onBehalfOf of [{}, { puid: null, userId: null, entraObjectId: null }]) {
      const write = parseWriteRecordBody({ attributes: { name: 'x' }, onBehalfOf });
      const whoAmI = parseWhoAmIBody({ onBehalfOf });
      for (const out of [write, whoAmI]) {
        expect(Object.keys(out.onBehalfOf!)).toEqual([]);
        expect(out.onBehalfOf).toStrictEqual({});
      }
    }
  });

  it('each member given alone is the only key of the parsed onBehalfOf, the others null or absent', () => {
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ puid: PUID }, { puid: PUID }],
      [{ puid: PUID, userId: null, entraObjectId: null }, { puid: PUID }],
      [{ userId: UUID }, { userId: UUID }],
      [{ puid: null, userId: UUID, entraObjectId: null }, { userId: UUID }],
      [{ entraObjectId: UUID }, { entraObjectId: UUID }],
      [{ puid: null, userId: null, entraObjectId: UUID }, { entraObjectId: UUID }],
    ];
    for (const [onBehalfOf, want] of cases) {
      expect(parseWriteRecordBody({ attributes: {}, onBehalfOf }).onBehalfOf).toStrictEqual(want);
      expect(parseWhoAmIBody({ onBehalfOf }).onBehalfOf).toStrictEqual(want);
    }
  });
});

describe('record bodies: the Nest pipes return what the parsers return', () => {
  it('WhoAmIBodyPipe and WriteRecordBodyPipe hand the parsed body on', () => {
    expect(new WhoAmIBodyPipe().transform({ onBehalfOf: { puid: PUID } })).toStrictEqual({
      onBehalfOf: { puid: PUID },
    });
    expect(new WhoAmIBodyPipe().transform(undefined)).toStrictEqual({});
    expect(
      new WriteRecordBodyPipe().transform({ attributes: { name: 'x' }, onBehalfOf: { userId: UUID } }),
    ).toStrictEqual({ attributes: { name: 'x' }, onBehalfOf: { userId: UUID } });
  });
});
