import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EmulatorContext } from '../http/emulator.context';
import { CrmFault } from '../soap/crm-error-codes.constants';
import { WS_NS, XSI_NS } from '../soap/namespaces.constants';
import { DEMO_IDS, demoSeed, SERVICE_ACCOUNT } from '../state/demo-seed';
import type { OrgState, StoredAttr, UserState } from '../state/emulator-state.model';
import { StateStore } from '../state/state.store';
import { readXml } from '../xml/xml-reader';
import type { CrmCaller } from './crm-caller.resolver';
import {
  createRecord,
  deleteRecord,
  entityMetadata,
  findRecord,
  nameResolver,
  recordsOf,
  requireAttributes,
  systemUserRecord,
  updateRecord,
} from './crm-records.service';

/**
 * Records as CrmService keeps them (docs/protocol.md §5.3, §5.4, §10.2), on the demo seed: Contoso's
 * service account ERP_Integration acting alone or for Jon Wilson; Frank Miller is a Fabrikam user.
 */

const seed = () =>
  demoSeed({ thumbprint: 'AA'.repeat(20), serialHex: '01', notAfter: '2099-01-01T00:00:00Z' });
const NOW = Date.parse('2026-03-14T17:30:00Z');
const OTHER_ID = '11111111-2222-4333-8444-555555555555';

interface World {
  ctx: EmulatorContext;
  store: StateStore;
  org: OrgState;
  erp: UserState;
  jon: UserState;
  /** How many times the store was told of a change (each schedules a save). */
  changes(): number;
  call(actingFor?: UserState): CrmCaller;
}

async function world(): Promise<World> {
  const { store } = await StateStore.open(undefined, seed);
  let changes = 0;
  store.onChange(() => changes++);
  // The records service uses the store only; the rest of the context is HTTP plumbing.
  const used: Pick<EmulatorContext, 'store'> = { store };
  const ctx = used as EmulatorContext;
  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the demo seed has no ${what}`);
    return value;
  };
  const org = must(store.org('contoso'), 'contoso');
  const erp = must(store.user(DEMO_IDS.erpInContoso), 'service account');
  const jon = must(store.user(DEMO_IDS.jonWilson), 'Jon Wilson');
  const claims = {
    org: 'contoso',
    orgId: org.id,
    liveId: SERVICE_ACCOUNT.liveId,
    iat: 0,
    exp: Number.MAX_SAFE_INTEGER,
    jti: 'j',
  };
  return {
    ctx,
    store,
    org,
    erp,
    jon,
    changes: () => changes,
    call: (actingFor) => ({ org, caller: erp, actingFor, claims }),
  };
}

/** An `entity` element as a Create or Update carries it: attributes in 2007/WebServices unless told. */
function entity(type: string, inner: string) {
  return readXml(`<entity xmlns="${WS_NS}" xmlns:xsi="${XSI_NS}" xsi:type="${type}">${inner}</entity>`, {
    maxDepth: 10,
  }).root;
}

function faultOf(fn: () => unknown): CrmFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof CrmFault) return error;
    throw error;
  }
  throw new Error('expected a CrmFault, got none');
}

function attrsOf(w: World, entityName: string, id: string): Record<string, StoredAttr> {
  const found = w.store.table('contoso', entityName).get(id);
  if (!found) throw new Error(`no ${entityName} ${id}`);
  return found.attrs;
}

const userRef = (u: UserState): StoredAttr => ({ t: 'ref', type: 'systemuser', id: u.id, name: u.fullName });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('entity metadata and attribute names', () => {
  it('knows the supported entities by their exact logical names and refuses any other with 0x80040203', () => {
    expect(entityMetadata('account').primaryKey).toBe('accountid');
    for (const name of ['Account', 'team', 'constructor', 'toString', '__proto__']) {
      const f = faultOf(() => entityMetadata(name));
      expect(f.code).toBe('0x80040203');
      expect(f.message).toBe(`The entity '${name}' is not supported by the emulator.`);
    }
  });

  it("refuses a name the entity does not have in CRM's words, and accepts its own", () => {
    const meta = entityMetadata('contact');
    expect(() => requireAttributes('contact', meta, ['fullname', 'parentcustomerid'])).not.toThrow();
    const f = faultOf(() => requireAttributes('contact', meta, ['fullname', 'name']));
    expect(f.code).toBe('0x80040203');
    expect(f.message).toBe("'contact' entity doesn't contain attribute with Name = 'name'.");
  });
});

describe('systemuser and businessunit, views of the state', () => {
  it('shows a user with the attributes Onbehalf reads', async () => {
    const w = await world();
    const dana = w.store.user(DEMO_IDS.disabledUser);
    if (!dana) throw new Error('no Dana');
    expect(systemUserRecord(dana, w.org)).toEqual({
      id: DEMO_IDS.disabledUser,
      attrs: {
        systemuserid: { t: 's', v: DEMO_IDS.disabledUser },
        fullname: { t: 's', v: 'Dana Dorsey' },
        firstname: { t: 's', v: 'Dana' },
        lastname: { t: 's', v: 'Dorsey' },
        domainname: { t: 's', v: 'DanaD' },
        windowsliveid: { t: 's', v: 'dana.dorsey@contoso.example' },
        isdisabled: { t: 'bool', v: true },
        businessunitid: { t: 'ref', type: 'businessunit', id: DEMO_IDS.contosoBu, name: 'Contoso Ltd' },
      },
    });
    expect(systemUserRecord(w.jon, w.org).attrs['isdisabled']).toEqual({ t: 'bool', v: false });
  });

  it("lists the org's own users, its one business unit, and the records of a table", async () => {
    const w = await world();
    const users = [...recordsOf(w.ctx, w.org, 'systemuser')].map((r) => r.id);
    expect(users).toContain(DEMO_IDS.jonWilson);
    expect(users).not.toContain(DEMO_IDS.frankMiller);
    expect([...recordsOf(w.ctx, w.org, 'businessunit')]).toEqual([
      {
        id: DEMO_IDS.contosoBu,
        attrs: { businessunitid: { t: 's', v: DEMO_IDS.contosoBu }, name: { t: 's', v: 'Contoso Ltd' } },
      },
    ]);
    expect([...recordsOf(w.ctx, w.org, 'account')].map((r) => r.id)).toContain(DEMO_IDS.fourthCoffee);
  });

  it('finds a record by its id in any case, braced or not, and refuses an id of nothing with 0x80040217', async () => {
    const w = await world();
    expect(findRecord(w.ctx, w.org, 'account', `{${DEMO_IDS.fourthCoffee.toUpperCase()}}`).id).toBe(
      DEMO_IDS.fourthCoffee,
    );
    expect(
      findRecord(w.ctx, w.org, 'systemuser', DEMO_IDS.jonWilson.toUpperCase()).attrs['fullname'],
    ).toEqual({ t: 's', v: 'Jon Wilson' });
    expect(findRecord(w.ctx, w.org, 'businessunit', DEMO_IDS.contosoBu).attrs['name']).toEqual({
      t: 's',
      v: 'Contoso Ltd',
    });
    const cases: Array<[string, string]> = [
      ['account', DEMO_IDS.fabrikamAccount],
      ['systemuser', DEMO_IDS.frankMiller],
      ['systemuser', OTHER_ID],
      ['businessunit', DEMO_IDS.fabrikamBu],
    ];
    for (const [entityName, id] of cases) {
      const f = faultOf(() => findRecord(w.ctx, w.org, entityName, `{${id.toUpperCase()}}`));
      expect(f.code).toBe('0x80040217');
      expect(f.message).toBe(`${entityName} With Id = ${id} Does Not Exist`);
    }
  });

  it("gives a lookup the referenced record's current name: a user's, the org's business unit's, a record's primary name", async () => {
    const w = await world();
    const name = nameResolver(w.ctx, w.org);
    expect(name('systemuser', DEMO_IDS.jonWilson)).toBe('Jon Wilson');
    expect(name('systemuser', OTHER_ID)).toBeUndefined();
    expect(name('businessunit', DEMO_IDS.contosoBu)).toBe('Contoso Ltd');
    expect(name('businessunit', DEMO_IDS.fabrikamBu)).toBeUndefined();
    expect(name('account', DEMO_IDS.fourthCoffee)).toBe('Fourth Coffee');
    updateRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', `<accountid>${DEMO_IDS.fourthCoffee}</accountid><name>Fifth Coffee</name>`),
    );
    expect(name('account', DEMO_IDS.fourthCoffee)).toBe('Fifth Coffee');
    expect(name('account', OTHER_ID)).toBeUndefined();
    expect(name('team', OTHER_ID)).toBeUndefined();
    expect(name('constructor', OTHER_ID)).toBeUndefined();
  });

  it('gives no name for a record whose primary name is empty or not text', async () => {
    const w = await world();
    const id = createRecord(w.ctx, w.call(), 'contact', entity('contact', '<jobtitle>Buyer</jobtitle>'));
    expect(nameResolver(w.ctx, w.org)('contact', id)).toBeUndefined();
    attrsOf(w, 'contact', id)['fullname'] = { t: 'ref', type: 'systemuser', id: w.jon.id };
    expect(nameResolver(w.ctx, w.org)('contact', id)).toBeUndefined();
  });
});

describe('createRecord: stamps (docs/protocol.md §10.2)', () => {
  it('stamps the service account as createdby, modifiedby and owner, leaves the on-behalf fields out, and dates both stamps now', async () => {
    const w = await world();
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const id = createRecord(w.ctx, w.call(), 'account', entity('account', '<name>Plain</name>'));
    expect(attrsOf(w, 'account', id)).toEqual({
      accountid: { t: 's', v: id },
      name: { t: 's', v: 'Plain' },
      createdby: userRef(w.erp),
      createdon: { t: 'date', v: NOW },
      modifiedby: userRef(w.erp),
      modifiedon: { t: 'date', v: NOW },
      ownerid: userRef(w.erp),
    });
  });

  it('stamps the user acted for as createdby, modifiedby and owner, and the service account on behalf', async () => {
    const w = await world();
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const id = createRecord(w.ctx, w.call(w.jon), 'lead', entity('lead', '<subject>Call back</subject>'));
    const a = attrsOf(w, 'lead', id);
    expect(a['createdby']).toEqual(userRef(w.jon));
    expect(a['modifiedby']).toEqual(userRef(w.jon));
    expect(a['ownerid']).toEqual(userRef(w.jon));
    expect(a['createdonbehalfby']).toEqual(userRef(w.erp));
    expect(a['modifiedonbehalfby']).toEqual(userRef(w.erp));
    expect(a['createdon']).toEqual({ t: 'date', v: NOW });
  });

  it('ignores the stamps a client sends and an attribute sent as null, and keeps an explicit owner', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(w.jon),
      'account',
      entity(
        'account',
        `<name>Owned</name><fax IsNull="1">1</fax><createdby type="systemuser">${DEMO_IDS.readOnlyUser}</createdby>` +
          `<createdonbehalfby type="systemuser">${DEMO_IDS.readOnlyUser}</createdonbehalfby><modifiedon>2001-01-01T00:00:00Z</modifiedon>` +
          `<ownerid type="systemuser" name="Rita">{${DEMO_IDS.readOnlyUser.toUpperCase()}}</ownerid>`,
      ),
    );
    const a = attrsOf(w, 'account', id);
    expect(a['fax']).toBeUndefined();
    expect(a['createdby']).toEqual(userRef(w.jon));
    expect(a['createdonbehalfby']).toEqual(userRef(w.erp));
    expect(a['modifiedon']).toMatchObject({ t: 'date' });
    expect(a['ownerid']).toEqual({ t: 'ref', type: 'systemuser', id: DEMO_IDS.readOnlyUser, name: 'Rita' });
  });

  it('leaves out the on-behalf stamps a client sends when no one is acted for', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity(
        'account',
        `<name>x</name><createdonbehalfby type="systemuser">${DEMO_IDS.jonWilson}</createdonbehalfby><modifiedonbehalfby type="systemuser">${DEMO_IDS.jonWilson}</modifiedonbehalfby>`,
      ),
    );
    const a = attrsOf(w, 'account', id);
    expect(a['createdonbehalfby']).toBeUndefined();
    expect(a['modifiedonbehalfby']).toBeUndefined();
  });

  it('takes the owner to be the creator when ownerid is sent as null', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', '<name>x</name><ownerid type="systemuser" IsNull="true" />'),
    );
    expect(attrsOf(w, 'account', id)['ownerid']).toEqual(userRef(w.erp));
  });

  it('refuses an owner that is no user of the org with 0x80040217 and creates nothing', async () => {
    const w = await world();
    for (const owner of [DEMO_IDS.frankMiller, OTHER_ID]) {
      const before = w.store.table('contoso', 'account').size;
      const f = faultOf(() =>
        createRecord(
          w.ctx,
          w.call(),
          'account',
          entity('account', `<name>x</name><ownerid type="systemuser">${owner}</ownerid>`),
        ),
      );
      expect(f.code).toBe('0x80040217');
      expect(f.message).toBe(`systemuser With Id = ${owner} Does Not Exist`);
      expect(w.store.table('contoso', 'account').size).toBe(before);
    }
  });

  it('keeps an owner that is a team as sent (the emulator has no teams to check it against)', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', `<name>x</name><ownerid type="team">${OTHER_ID}</ownerid>`),
    );
    expect(attrsOf(w, 'account', id)['ownerid']).toStrictEqual({ t: 'ref', type: 'team', id: OTHER_ID });
  });

  it('tells the store of the change, once', async () => {
    const w = await world();
    const before = w.changes();
    createRecord(w.ctx, w.call(), 'account', entity('account', '<name>x</name>'));
    expect(w.changes()).toBe(before + 1);
  });
});

describe('createRecord: ids and values', () => {
  it('uses the primary key sent, in its one internal form, and refuses a second record with it', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', `<accountid>{${OTHER_ID.toUpperCase()}}</accountid><name>x</name>`),
    );
    expect(id).toBe(OTHER_ID);
    expect(attrsOf(w, 'account', OTHER_ID)['accountid']).toEqual({ t: 's', v: OTHER_ID });
    const f = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', `<accountid>${OTHER_ID}</accountid>`)),
    );
    expect(f.code).toBe('0x80040203');
    expect(f.message).toBe(`A account with id ${OTHER_ID} already exists.`);
  });

  it('makes up a new id when none is sent', async () => {
    const w = await world();
    const a = createRecord(w.ctx, w.call(), 'account', entity('account', '<name>a</name>'));
    const b = createRecord(w.ctx, w.call(), 'account', entity('account', '<name>b</name>'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });

  it('makes up a new id when the primary key is sent as null', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', '<accountid IsNull="1" /><name>x</name>'),
    );
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(attrsOf(w, 'account', id)['accountid']).toEqual({ t: 's', v: id });
  });

  it('reads the primary key as a GUID even with a type attribute, which XmlSerializer ignores on a Key', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', `<accountid type="account">${OTHER_ID}</accountid><name>x</name>`),
    );
    expect(id).toBe(OTHER_ID);
    expect(attrsOf(w, 'account', id)['accountid']).toEqual({ t: 's', v: OTHER_ID });
    updateRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', `<accountid type="account">{${OTHER_ID.toUpperCase()}}</accountid><name>y</name>`),
    );
    expect(attrsOf(w, 'account', id)['name']).toEqual({ t: 's', v: 'y' });
  });

  it('refuses an attribute the entity does not have with 0x80040203, creating nothing', async () => {
    const w = await world();
    const before = w.store.table('contoso', 'account').size;
    const f = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', '<name>x</name><revenu>5</revenu>')),
    );
    expect(f.code).toBe('0x80040203');
    expect(f.message).toBe("'account' entity doesn't contain attribute with Name = 'revenu'.");
    expect(w.store.table('contoso', 'account').size).toBe(before);
  });

  it('refuses a primary key that is no GUID with 0x80040203', async () => {
    const w = await world();
    const f = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', '<accountid>42</accountid>')),
    );
    expect(f.code).toBe('0x80040203');
    expect(f.message).toBe("The key 'accountid' must be a GUID.");
  });

  it('stores a lookup as a reference with its type and the name sent, if any', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'contact',
      entity(
        'contact',
        `<lastname>Lee</lastname><parentcustomerid type="account" name="Fourth Coffee">{${DEMO_IDS.fourthCoffee.toUpperCase()}}</parentcustomerid>`,
      ),
    );
    expect(attrsOf(w, 'contact', id)['parentcustomerid']).toEqual({
      t: 'ref',
      type: 'account',
      id: DEMO_IDS.fourthCoffee,
      name: 'Fourth Coffee',
    });
    const bare = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', `<parentaccountid type="Account">${DEMO_IDS.fourthCoffee}</parentaccountid>`),
    );
    expect(attrsOf(w, 'account', bare)['parentaccountid']).toStrictEqual({
      t: 'ref',
      type: 'account',
      id: DEMO_IDS.fourthCoffee,
    });
  });

  it('reads a String attribute sent with a type attribute as its text, which XmlSerializer ignores on a String', async () => {
    const w = await world();
    const account = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', '<name type="account">Fourth Tea</name>'),
    );
    expect(attrsOf(w, 'account', account)['name']).toEqual({ t: 's', v: 'Fourth Tea' });
    const contact = createRecord(
      w.ctx,
      w.call(),
      'contact',
      entity('contact', `<firstname type="systemuser">${OTHER_ID}</firstname>`),
    );
    expect(attrsOf(w, 'contact', contact)['firstname']).toEqual({ t: 's', v: OTHER_ID });
    expect(attrsOf(w, 'contact', contact)['fullname']).toEqual({ t: 's', v: OTHER_ID });
  });

  it('refuses a lookup whose value is no GUID with 0x80040203', async () => {
    const w = await world();
    const f = faultOf(() =>
      createRecord(
        w.ctx,
        w.call(),
        'account',
        entity('account', '<parentaccountid type="account">Fourth Coffee</parentaccountid>'),
      ),
    );
    expect(f.code).toBe('0x80040203');
    expect(f.message).toBe("The lookup 'parentaccountid' needs a GUID value.");
  });

  it('reads a lookup with an empty type attribute as one sent without a type', async () => {
    const w = await world();
    const empty = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', '<parentaccountid type="">Fourth Coffee</parentaccountid>'),
    );
    const none = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', '<parentaccountid>Fourth Coffee</parentaccountid>'),
    );
    expect(attrsOf(w, 'account', empty)['parentaccountid']).toEqual(
      attrsOf(w, 'account', none)['parentaccountid'],
    );
  });

  it('stores an empty element as an empty string', async () => {
    const w = await world();
    const id = createRecord(w.ctx, w.call(), 'account', entity('account', '<name>x</name><fax />'));
    expect(attrsOf(w, 'account', id)['fax']).toEqual({ t: 's', v: '' });
  });

  it('reads IsNull as an xs:boolean, whitespace around it allowed, and refuses anything else as a client error', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'account',
      entity(
        'account',
        '<name>x</name><fax IsNull=" true ">1</fax><telephone1 IsNull=" 0 ">2</telephone1><telephone2 IsNull="false">3</telephone2>',
      ),
    );
    expect(attrsOf(w, 'account', id)['fax']).toBeUndefined();
    expect(attrsOf(w, 'account', id)['telephone1']).toEqual({ t: 's', v: '2' });
    expect(attrsOf(w, 'account', id)['telephone2']).toEqual({ t: 's', v: '3' });
    const f = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', '<fax IsNull="yes">1</fax>')),
    );
    expect(f.code).toBe('0x80040203');
    expect(f.faultCode).toBe('Client');
    expect(f.message).toBe("IsNull='yes' on 'fax' is not an xs:boolean (1, true, 0 or false).");
  });

  it("refuses attribute elements outside 2007/WebServices in CRM's words, naming an unqualified one by its local name", async () => {
    const w = await world();
    const other = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', '<name xmlns="urn:other">x</name>')),
    );
    expect(other.message).toBe("'account' entity doesn't contain attribute with Name = '{urn:other}name'.");
    const none = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', '<name xmlns="">x</name>')),
    );
    expect(none.code).toBe('0x80040203');
    expect(none.message).toBe("'account' entity doesn't contain attribute with Name = 'name'.");
  });

  it('refuses an attribute sent twice and an attribute holding elements with 0x80040203', async () => {
    const w = await world();
    const twice = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', '<name>a</name><name>b</name>')),
    );
    expect(twice.code).toBe('0x80040203');
    expect(twice.message).toBe("The attribute 'name' appears more than once.");
    const nested = faultOf(() =>
      createRecord(w.ctx, w.call(), 'account', entity('account', '<name><b>a</b></name>')),
    );
    expect(nested.code).toBe('0x80040203');
    expect(nested.message).toBe("The attribute 'name' holds elements, not a value.");
  });

  it('refuses to create, update or delete a systemuser or businessunit with 0x80040203', async () => {
    const w = await world();
    for (const name of ['systemuser', 'businessunit']) {
      const create = faultOf(() =>
        createRecord(w.ctx, w.call(), name, entity(name, '<fullname>x</fullname>')),
      );
      expect(create.code).toBe('0x80040203');
      expect(create.message).toBe(`The emulator does not create ${name} records.`);
      const update = faultOf(() =>
        updateRecord(w.ctx, w.call(), name, entity(name, `<${name}id>${DEMO_IDS.jonWilson}</${name}id>`)),
      );
      expect(update.message).toBe(`The emulator does not update ${name} records.`);
      const del = faultOf(() => deleteRecord(w.ctx, w.call(), name, DEMO_IDS.jonWilson));
      expect(del.message).toBe(`The emulator does not delete ${name} records.`);
    }
    expect(w.store.user(DEMO_IDS.jonWilson)).toBeDefined();
  });
});

describe('fullname of contacts and leads', () => {
  it('derives fullname from the first and last names, either alone, and leaves it out when both are missing or empty', async () => {
    const w = await world();
    const fullname = (entityName: string, inner: string): StoredAttr | undefined =>
      attrsOf(w, entityName, createRecord(w.ctx, w.call(), entityName, entity(entityName, inner)))[
        'fullname'
      ];
    expect(fullname('contact', '<firstname>Ann</firstname><lastname>Lee</lastname>')).toEqual({
      t: 's',
      v: 'Ann Lee',
    });
    expect(fullname('lead', '<firstname>Ann</firstname>')).toEqual({ t: 's', v: 'Ann' });
    expect(fullname('contact', '<lastname>Lee</lastname>')).toEqual({ t: 's', v: 'Lee' });
    expect(fullname('contact', '<firstname></firstname><lastname>Lee</lastname>')).toEqual({
      t: 's',
      v: 'Lee',
    });
    expect(fullname('contact', '<fullname>Sent Name</fullname><jobtitle>Buyer</jobtitle>')).toBeUndefined();
  });

  it('derives no fullname for an account', async () => {
    const w = await world();
    const id = createRecord(w.ctx, w.call(), 'account', entity('account', '<name>x</name>'));
    expect(Object.keys(attrsOf(w, 'account', id))).not.toContain('fullname');
  });

  it('re-derives fullname on an Update of the first or the last name', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'contact',
      entity('contact', '<firstname>Ann</firstname><lastname>Lee</lastname>'),
    );
    updateRecord(
      w.ctx,
      w.call(),
      'contact',
      entity('contact', `<contactid>${id}</contactid><lastname>Park</lastname>`),
    );
    expect(attrsOf(w, 'contact', id)['fullname']).toEqual({ t: 's', v: 'Ann Park' });
    updateRecord(
      w.ctx,
      w.call(),
      'contact',
      entity('contact', `<contactid>${id}</contactid><firstname IsNull="1" />`),
    );
    expect(attrsOf(w, 'contact', id)['fullname']).toEqual({ t: 's', v: 'Park' });
  });

  it('keeps fullname derived when a client sends one on Update, as on Create', async () => {
    const w = await world();
    const id = createRecord(
      w.ctx,
      w.call(),
      'lead',
      entity('lead', '<firstname>Ann</firstname><lastname>Lee</lastname>'),
    );
    updateRecord(
      w.ctx,
      w.call(),
      'lead',
      entity('lead', `<leadid>${id}</leadid><fullname>Someone Else</fullname>`),
    );
    expect(attrsOf(w, 'lead', id)['fullname']).toEqual({ t: 's', v: 'Ann Lee' });
  });
});

describe('updateRecord', () => {
  async function created(w: World): Promise<{ id: string; before: Record<string, StoredAttr> }> {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const id = createRecord(
      w.ctx,
      w.call(w.jon),
      'account',
      entity('account', '<name>Before</name><fax>1</fax>'),
    );
    return { id, before: structuredClone(attrsOf(w, 'account', id)) };
  }

  it('changes the attributes sent, clears those sent as null, and restamps modifiedby and modifiedon only', async () => {
    const w = await world();
    const { id, before } = await created(w);
    vi.spyOn(Date, 'now').mockReturnValue(NOW + 60_000);
    const changesBefore = w.changes();
    updateRecord(
      w.ctx,
      w.call(),
      'account',
      entity('account', `<accountid>{${id.toUpperCase()}}</accountid><name>After</name><fax IsNull="1" />`),
    );
    const after = attrsOf(w, 'account', id);
    expect(after['name']).toEqual({ t: 's', v: 'After' });
    expect(after['fax']).toBeUndefined();
    expect(after['accountid']).toEqual({ t: 's', v: id });
    expect(after['createdby']).toEqual(before['createdby']);
    expect(after['createdon']).toEqual(before['createdon']);
    expect(after['createdonbehalfby']).toEqual(before['createdonbehalfby']);
    expect(after['modifiedby']).toEqual(userRef(w.erp));
    expect(after['modifiedon']).toEqual({ t: 'date', v: NOW + 60_000 });
    expect(after['modifiedonbehalfby']).toBeUndefined();
    expect(w.changes()).toBe(changesBefore + 1);
  });

  it('stamps the user acted for as modifiedby and the service account as modifiedonbehalfby', async () => {
    const w = await world();
    const id = createRecord(w.ctx, w.call(), 'account', entity('account', '<name>Plain</name>'));
    updateRecord(
      w.ctx,
      w.call(w.jon),
      'account',
      entity('account', `<accountid>${id}</accountid><name>Jon's</name>`),
    );
    const a = attrsOf(w, 'account', id);
    expect(a['modifiedby']).toEqual(userRef(w.jon));
    expect(a['modifiedonbehalfby']).toEqual(userRef(w.erp));
    expect(a['createdby']).toEqual(userRef(w.erp));
    expect(a['createdonbehalfby']).toBeUndefined();
  });

  it('ignores stamps the client sends on Update', async () => {
    const w = await world();
    const { id, before } = await created(w);
    updateRecord(
      w.ctx,
      w.call(w.jon),
      'account',
      entity(
        'account',
        `<accountid>${id}</accountid><createdby type="systemuser">${DEMO_IDS.readOnlyUser}</createdby><modifiedby type="systemuser">${DEMO_IDS.readOnlyUser}</modifiedby>`,
      ),
    );
    const a = attrsOf(w, 'account', id);
    expect(a['createdby']).toEqual(before['createdby']);
    expect(a['modifiedby']).toEqual(userRef(w.jon));
  });

  it('refuses an Update without the primary key, or with the key sent as null, with 0x80040203', async () => {
    const w = await world();
    for (const inner of ['<name>x</name>', '<accountid IsNull="1" /><name>x</name>']) {
      const f = faultOf(() => updateRecord(w.ctx, w.call(), 'account', entity('account', inner)));
      expect(f.code).toBe('0x80040203');
      expect(f.message).toBe('Update needs the primary key accountid in the entity.');
    }
    expect(attrsOf(w, 'account', DEMO_IDS.fourthCoffee)['name']).toEqual({ t: 's', v: 'Fourth Coffee' });
  });

  it('refuses an Update of a record that does not exist with 0x80040217', async () => {
    const w = await world();
    const f = faultOf(() =>
      updateRecord(
        w.ctx,
        w.call(),
        'account',
        entity('account', `<accountid>${OTHER_ID}</accountid><name>x</name>`),
      ),
    );
    expect(f.code).toBe('0x80040217');
  });

  it('refuses an Update to an owner that is no user of the org with 0x80040217, changing nothing', async () => {
    const w = await world();
    const f = faultOf(() =>
      updateRecord(
        w.ctx,
        w.call(),
        'account',
        entity(
          'account',
          `<accountid>${DEMO_IDS.fourthCoffee}</accountid><name>x</name><ownerid type="systemuser">${DEMO_IDS.frankMiller}</ownerid>`,
        ),
      ),
    );
    expect(f.code).toBe('0x80040217');
    expect(attrsOf(w, 'account', DEMO_IDS.fourthCoffee)['name']).toEqual({ t: 's', v: 'Fourth Coffee' });
  });
});

describe('deleteRecord', () => {
  it('deletes by id in any case or braces and tells the store', async () => {
    const w = await world();
    const before = w.changes();
    deleteRecord(w.ctx, w.call(), 'account', `{${DEMO_IDS.fourthCoffee.toUpperCase()}}`);
    expect(w.store.table('contoso', 'account').has(DEMO_IDS.fourthCoffee)).toBe(false);
    expect(w.changes()).toBe(before + 1);
  });

  it('refuses an id that is no GUID with 0x80040203 and an unknown one with 0x80040217', async () => {
    const w = await world();
    const junk = faultOf(() => deleteRecord(w.ctx, w.call(), 'account', 'Fourth Coffee'));
    expect(junk.code).toBe('0x80040203');
    expect(junk.message).toBe("'Fourth Coffee' is not a GUID.");
    const unknown = faultOf(() => deleteRecord(w.ctx, w.call(), 'account', OTHER_ID));
    expect(unknown.code).toBe('0x80040217');
    expect(w.store.table('contoso', 'account').size).toBeGreaterThan(0);
  });
});
