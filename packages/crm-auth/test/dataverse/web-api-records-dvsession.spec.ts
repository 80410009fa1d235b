/**
 * The Web API's record shapes (web-api-records.ts): `$select` names, and a record read back as the neutral
 * shape (lookups from `_<c>_value` with their annotations, plain values kept only when text, yes/no or a finite
 * number).
 */
import { describe, expect, it } from 'vitest';
import { entitySetOf, fromWebApiRecord, selectName } from '../../src/dataverse/web-api-records';
import { invalidOptions } from '../helpers/invalid-options';

const ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const REF = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const TYPE = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const NAME = '@OData.Community.Display.V1.FormattedValue';

describe('Web API records', () => {
  it("names a bad table 'entity' when asked for its entity set", () => {
    expect(() => entitySetOf('Account')).toThrow(
      invalidOptions('entity must be a logical name (lower case letters, digits, _)'),
    );
  });

  it('selects a lookup as _<column>_value, keeps a name already in that form, and refuses anything else that is not a logical name, a non-string with such text included', () => {
    expect(selectName('createdby')).toBe('_createdby_value');
    expect(selectName('name')).toBe('name');
    expect(selectName('_new_projectid_value')).toBe('_new_projectid_value');
    for (const bad of ['Bad Name', '_abc_valueX', 'X_abc_value', '_abc_value-x'])
      expect(() => selectName(bad), bad).toThrow(
        invalidOptions('a column must be a logical name (lower case letters, digits, _)'),
      );
    // From JavaScript: an array whose text has the _<c>_value form is still not a column name.
    for (const bad of [['_abc_value'], { toString: () => '_abc_value' }])
      expect(() => selectName(bad as unknown as string), String(bad)).toThrow(
        invalidOptions('a column must be a logical name (lower case letters, digits, _)'),
      );
  });

  it('reads _<c>_value as the lookup c, with its table and display name when given', () => {
    const body = {
      _ownerid_value: REF,
      [`_ownerid_value${TYPE}`]: 'systemuser',
      [`_ownerid_value${NAME}`]: 'Jon Wilson',
      _ab_value: REF,
      [`_ab_value${TYPE}`]: 'account',
    };
    const read = fromWebApiRecord('account', ID, body, ['ownerid', '_ab_value']);
    expect(read).toStrictEqual({
      entity: 'account',
      id: ID,
      fields: {
        ownerid: { id: REF, type: 'systemuser', name: 'Jon Wilson' },
        ab: { id: REF, type: 'account' },
      },
    });
    expect('name' in (read.fields.ab as object)).toBe(false);
  });

  it('takes only a whole _<c>_value as a lookup name: a column merely containing _value is a plain column', () => {
    const body = {
      x_y_value: 'text',
      _xy_value: REF,
      [`_xy_value${TYPE}`]: 'account',
      _a_x_value: REF,
      [`_a_x_value${TYPE}`]: 'account',
      _a_value_x: 'plain',
    };
    expect(fromWebApiRecord('account', ID, body, ['x_y_value', '_a_value_x']).fields).toStrictEqual({
      x_y_value: 'text',
      _a_value_x: 'plain',
    });
    // Lookups found under the name the column gives, named by the whole column.
    const lookups = {
      _q_a_value_value: REF,
      [`_q_a_value_value${TYPE}`]: 'account',
      __a_value_x_value: REF,
      [`__a_value_x_value${TYPE}`]: 'contact',
    };
    expect(fromWebApiRecord('account', ID, lookups, ['q_a_value', '_a_value_x']).fields).toStrictEqual({
      q_a_value: { id: REF, type: 'account' },
      _a_value_x: { id: REF, type: 'contact' },
    });
  });

  it('leaves out a lookup without a GUID or without its table, and values that are null, objects or not finite', () => {
    const body = {
      _ownerid_value: 'not-a-guid',
      [`_ownerid_value${TYPE}`]: 'systemuser',
      _createdby_value: REF,
      empty: null,
      nested: { a: 1 },
      huge: JSON.parse('1e400') as number,
      count: 3,
      flag: false,
    };
    expect(
      fromWebApiRecord('account', ID, body, [
        'ownerid',
        'createdby',
        'empty',
        'nested',
        'huge',
        'count',
        'flag',
      ]).fields,
    ).toStrictEqual({ count: 3, flag: false });
  });
});
