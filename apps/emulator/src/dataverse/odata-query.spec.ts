import { describe, expect, it } from 'vitest';
import type { EntityRecord, StoredAttr } from '../state/emulator-state.model';
import {
  compileFilter,
  compileOrderBy,
  ODataQueryError,
  parseExpand,
  readSkipToken,
  skipToken,
  type ColumnSet,
} from './odata-query';

const COLUMNS: ColumnSet = {
  entity: 'account',
  has: (n) =>
    ['accountid', 'name', 'accountnumber', 'isactive', 'createdon', 'createdby', 'telephone1'].includes(n),
  isLookup: (n) => n === 'createdby',
};
const JON = '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e80';
const APP = '3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6f';

function rec(id: string, attrs: Record<string, StoredAttr>): EntityRecord {
  return { id, attrs: { accountid: { t: 's', v: id }, ...attrs } };
}
const RECORDS = [
  rec('1', {
    name: { t: 's', v: "O'Brien Ltd" },
    accountnumber: { t: 's', v: '30' },
    isactive: { t: 'bool', v: true },
    createdon: { t: 'date', v: Date.parse('2024-03-01T10:00:00Z') },
    createdby: { t: 'ref', type: 'systemuser', id: JON },
  }),
  rec('2', {
    name: { t: 's', v: 'Blue Yonder' },
    accountnumber: { t: 's', v: '9' },
    isactive: { t: 'bool', v: false },
    createdon: { t: 'date', v: Date.parse('2024-01-15T00:00:00Z') },
    createdby: { t: 'ref', type: 'systemuser', id: APP },
    telephone1: { t: 's', v: '555-0100' },
  }),
  rec('3', { name: { t: 's', v: 'coho winery' }, accountnumber: { t: 's', v: 'n/a' } }),
];
const ids = (filter: string): string[] => RECORDS.filter(compileFilter(filter, COLUMNS)).map((r) => r.id);
const refused = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof ODataQueryError) return e.message;
    throw e;
  }
  throw new Error('not refused');
};

describe('compileFilter', () => {
  it('compares strings without regard to case, and reads a doubled quote as one quote', () => {
    expect(ids("name eq 'BLUE YONDER'")).toEqual(['2']);
    expect(ids("name eq 'o''brien ltd'")).toEqual(['1']);
    expect(ids("name ne 'blue yonder'")).toEqual(['1', '3']);
  });

  it('orders strings, numbers and dates with gt, ge, lt and le', () => {
    expect(ids("name gt 'c'")).toEqual(['1', '3']);
    expect(ids("name ge 'coho winery'")).toEqual(['1', '3']);
    expect(ids('accountnumber lt 10')).toEqual(['2']);
    expect(ids('accountnumber le 30')).toEqual(['1', '2']);
    expect(ids('createdon ge 2024-02-01')).toEqual(['1']);
    expect(ids('createdon lt 2024-03-01T10:00:00Z')).toEqual(['2']);
  });

  it('compares a number column value only when it reads as a number', () => {
    expect(ids('accountnumber ne 9')).toEqual(['1']);
  });

  it('matches a lookup by _<name>_value against a bare or quoted GUID in any case', () => {
    expect(ids(`_createdby_value eq ${JON.toUpperCase()}`)).toEqual(['1']);
    expect(ids(`_createdby_value eq '${APP}'`)).toEqual(['2']);
    expect(ids('_createdby_value eq null')).toEqual(['3']);
  });

  it('matches an empty column only with eq null; ne a value leaves it out, as SQL does', () => {
    expect(ids('telephone1 eq null')).toEqual(['1', '3']);
    expect(ids('telephone1 ne null')).toEqual(['2']);
    expect(ids("telephone1 ne '555-0199'")).toEqual(['2']);
  });

  it('compares booleans with true and false', () => {
    expect(ids('isactive eq true')).toEqual(['1']);
    expect(ids('isactive ne true')).toEqual(['2']);
  });

  it('gives and precedence over or, honours parentheses and not', () => {
    expect(ids("name eq 'coho winery' or name eq 'blue yonder' and isactive eq true")).toEqual(['3']);
    expect(ids("(name eq 'coho winery' or name eq 'blue yonder') and isactive eq false")).toEqual(['2']);
    expect(ids("not (name eq 'coho winery')")).toEqual(['1', '2']);
  });

  it('reads contains, startswith and endswith without regard to case, false on an empty column', () => {
    expect(ids("contains(name,'YON')")).toEqual(['2']);
    expect(ids("startswith(name,'co')")).toEqual(['3']);
    expect(ids("endswith(name, 'LTD')")).toEqual(['1']);
    expect(ids("contains(telephone1,'555')")).toEqual(['2']);
  });

  it.each([
    ["nosuch eq 'x'", "'nosuch'"],
    ["createdby eq 'x'", "'_createdby_value'"],
    ['_name_value eq null', "'_name_value'"],
    ["substringof('x',name)", "'substringof'"],
    ["name 'x'", "''x''"],
    ["name eq 'x' and", 'the end'],
    ["(name eq 'x'", "expected ')'"],
    ["name eq 'x')", "')'"],
    ['name eq', 'a value but found the end'],
    ["contains('x',name)", 'a column first'],
    ['contains(name,1)', 'a string value'],
    ['name lt null', "'lt null'"],
    ['isactive eq 1 or name eq true', 'boolean'],
    ['name eq #', "'#'"],
    ['', 'empty'],
  ])('refuses %s, naming %s', (filter, named) => {
    expect(refused(() => ids(filter))).toContain(named);
  });
});

describe('compileFilter nesting', () => {
  it('refuses a filter nested deeper than 64 levels (parentheses or not) instead of overflowing the stack', () => {
    expect(refused(() => ids(`${'('.repeat(5000)}name eq 'x'${')'.repeat(5000)}`))).toContain(
      'deeper than 64',
    );
    expect(refused(() => ids(`${'not '.repeat(5000)}name eq 'x'`))).toContain('deeper than 64');
    expect(ids(`${'('.repeat(63)}name eq 'coho winery'${')'.repeat(63)}`)).toEqual(['3']);
  });
});

describe('compileOrderBy', () => {
  const order = (text: string) => [...RECORDS].sort(compileOrderBy(text, COLUMNS)).map((r) => r.id);

  it('sorts ascending by default, without regard to case, and descending on asc/desc', () => {
    expect(order('name')).toEqual(['2', '3', '1']);
    expect(order('name asc')).toEqual(['2', '3', '1']);
    expect(order('name desc')).toEqual(['1', '3', '2']);
  });

  it('puts an empty column first ascending and last descending, and breaks ties on the next key', () => {
    expect(order('telephone1,name desc')).toEqual(['1', '3', '2']);
    expect(order('telephone1 desc,name')).toEqual(['2', '3', '1']);
    expect(order('_createdby_value desc')).toEqual(['1', '2', '3']);
  });

  it.each([
    ['nosuch', "'nosuch'"],
    ['name sideways', "'name sideways'"],
    ['createdby', '_createdby_value'],
  ])('refuses %s', (text, named) => {
    expect(refused(() => order(text))).toContain(named);
  });
});

describe('parseExpand', () => {
  it('reads lookups with an optional $select, split at top-level commas', () => {
    expect(parseExpand('createdby($select=fullname,systemuserid)', COLUMNS)).toEqual([
      { navigation: 'createdby', select: ['fullname', 'systemuserid'] },
    ]);
    expect(parseExpand('createdby', COLUMNS)).toEqual([{ navigation: 'createdby', select: undefined }]);
  });

  it.each([
    ['name', "navigation property named 'name'"],
    ['createdby($top=1)', "'$top=1'"],
    ['createdby($select=fullname', 'unclosed'],
    ['createdby)(', 'unbalanced'],
    ['created by', "'created by'"],
  ])('refuses %s', (text, named) => {
    expect(refused(() => parseExpand(text, COLUMNS))).toContain(named);
  });
});

describe('skip tokens', () => {
  it('reads back the page and position it wrote, and refuses one it did not', () => {
    expect(readSkipToken(skipToken(3, 4000))).toEqual({ page: 3, position: 4000 });
    expect(refused(() => readSkipToken('<cookie pagenumber="2" />'))).toContain(
      'not one this service issued',
    );
  });
});
