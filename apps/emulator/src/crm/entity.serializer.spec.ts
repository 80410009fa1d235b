import { describe, expect, it } from 'vitest';
import type { OrgState } from '../state/emulator-state.model';
import { attributeXml, crmDateTime } from './entity.serializer';

const org = { utcOffsetMinutes: -480 } as OrgState;

describe('entity serialization', () => {
  it('writes CrmDateTime in the org time zone with date and time display attributes', () => {
    expect(crmDateTime(Date.parse('2026-11-23T14:02:11Z'), -480)).toEqual({
      text: '2026-11-23T06:02:11-08:00',
      date: '11/23/2026',
      time: '6:02 AM',
    });
    expect(crmDateTime(Date.parse('2026-11-23T00:45:30Z'), -480).time).toBe('4:45 PM');
    expect(crmDateTime(Date.parse('2026-11-23T08:05:00Z'), -480).time).toBe('12:05 AM');
    expect(crmDateTime(Date.parse('2026-11-23T11:00:00Z'), 330).text).toBe('2026-11-23T16:30:00+05:30');
  });

  it('writes keys and lookups as upper-case braced GUIDs, names resolved at read time and escaped', () => {
    const none = (): undefined => undefined;
    expect(attributeXml('accountid', { t: 's', v: 'ab-cd' }, 'accountid', org, none)).toBe(
      '<accountid>{AB-CD}</accountid>',
    );
    expect(
      attributeXml(
        'createdby',
        { t: 'ref', type: 'systemuser', id: 'ab', name: 'Old' },
        'accountid',
        org,
        () => 'A & B',
      ),
    ).toBe('<createdby type="systemuser" name="A &amp; B" dsc="0">{AB}</createdby>');
    expect(attributeXml('name', { t: 's', v: '<b>' }, 'accountid', org, none)).toBe('<name>&lt;b&gt;</name>');
    expect(attributeXml('isdisabled', { t: 'bool', v: false }, 'x', org, none)).toBe(
      '<isdisabled name="No">false</isdisabled>',
    );
  });
});
