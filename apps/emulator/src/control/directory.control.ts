import { randomBytes, randomUUID } from 'node:crypto';
import { ControlInputError } from '../scenarios/scenario.engine';
import { ALL_RIGHTS, type OrgState, type UserState } from '../state/emulator-state.model';
import { isGuid, normalizeGuid, type StateStore } from '../state/state.store';
import { bool, ControlNotFoundError, orgOrThrow as requireOrg, rightsOf, str } from './control-input';
import type { EmulatorControl } from './control-types';

/** The control of the directory: orgs, their users and the users' Live accounts. */
export function directoryControl(
  store: StateStore,
): Pick<EmulatorControl, 'addOrg' | 'addUser' | 'updateOrg' | 'updateUser' | 'deleteUser'> {
  const orgOrThrow = (name: string): OrgState => requireOrg(store, name);

  return {
    addOrg(input) {
      const name = str(input.name, 'name', true).toLowerCase();
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name))
        throw new ControlInputError('name must be a unique name such as contoso');
      if (store.org(name)) throw new ControlInputError(`An org named '${name}' exists`);
      const id = input.id ? normalizeGuid(str(input.id, 'id', true)) : randomUUID();
      if (!isGuid(id)) throw new ControlInputError('id must be a GUID');
      const offset = input.utcOffsetMinutes ?? 0;
      if (typeof offset !== 'number' || !Number.isInteger(offset) || Math.abs(offset) > 840) {
        throw new ControlInputError('utcOffsetMinutes must be an integer between -840 and 840');
      }
      const friendlyName = str(input.friendlyName, 'friendlyName', true);
      const org: OrgState = {
        id,
        name,
        friendlyName,
        enabled: bool(input.enabled, 'enabled') ?? true,
        businessUnitId: randomUUID(),
        businessUnitName: friendlyName,
        utcOffsetMinutes: offset,
      };
      store.orgs.set(name, org);
      store.changed();
      return org;
    },

    addUser(input) {
      const org = orgOrThrow(str(input.org, 'org', true));
      const liveId = str(input.liveId, 'liveId', true).toLowerCase();
      if (store.userByLiveId(org.name, liveId)) {
        throw new ControlInputError(`${liveId} is already a user of ${org.name}`);
      }
      const firstName = str(input.firstName, 'firstName', true);
      const lastName = str(input.lastName, 'lastName', true);
      const id = input.id ? normalizeGuid(str(input.id, 'id', true)) : randomUUID();
      if (!isGuid(id) || store.users.has(id)) throw new ControlInputError('id must be a new GUID');
      let account = store.liveAccount(liveId);
      const puid = str(input.puid, 'puid')?.toUpperCase();
      if (puid !== undefined && !/^[0-9A-F]{16}$/.test(puid)) {
        throw new ControlInputError('puid must be 16 hex digits (HexPUID)');
      }
      if (account && puid && account.puid !== puid) {
        throw new ControlInputError(`${liveId} already has PUID ${account.puid}`);
      }
      if (puid && !account && store.liveAccountByPuid(puid))
        throw new ControlInputError(`PUID ${puid} is taken`);
      if (!account) {
        account = {
          liveId,
          puid: puid ?? `0003${randomBytes(6).toString('hex').toUpperCase()}`,
          firstName,
          lastName,
        };
        store.liveAccounts.set(liveId, account);
      }
      const user: UserState = {
        id,
        org: org.name,
        fullName: str(input.fullName, 'fullName') ?? `${firstName} ${lastName}`,
        firstName,
        lastName,
        domainName: str(input.domainName, 'domainName') ?? `${firstName}${lastName.charAt(0)}`,
        liveId,
        enabled: bool(input.enabled, 'enabled') ?? true,
        proxyRole: bool(input.proxyRole, 'proxyRole') ?? false,
        rights: rightsOf(input.rights) ?? {
          account: [...ALL_RIGHTS],
          contact: [...ALL_RIGHTS],
          lead: [...ALL_RIGHTS],
          opportunity: [...ALL_RIGHTS],
          '*': ['read'],
        },
      };
      if (bool(input.isServiceAccount, 'isServiceAccount')) user.isServiceAccount = true;
      store.users.set(id, user);
      store.changed();
      return user;
    },

    updateOrg(name, patch) {
      const org = orgOrThrow(name);
      const enabled = bool(patch.enabled, 'enabled');
      const friendlyName = str(patch.friendlyName, 'friendlyName');
      if (enabled !== undefined) org.enabled = enabled;
      if (friendlyName !== undefined) org.friendlyName = friendlyName;
      store.changed();
      return org;
    },

    updateUser(id, patch) {
      const user = isGuid(id) ? store.user(id) : undefined;
      if (!user) throw new ControlNotFoundError(`No user with id ${id}`);
      const enabled = bool(patch.enabled, 'enabled');
      const proxyRole = bool(patch.proxyRole, 'proxyRole');
      const rights = rightsOf(patch.rights);
      const fullName = str(patch.fullName, 'fullName');
      if (enabled !== undefined) user.enabled = enabled;
      if (proxyRole !== undefined) user.proxyRole = proxyRole;
      if (rights !== undefined) user.rights = rights;
      if (fullName !== undefined) user.fullName = fullName;
      store.changed();
      return user;
    },

    deleteUser(id) {
      const user = isGuid(id) ? store.user(id) : undefined;
      if (!user) throw new ControlNotFoundError(`No user with id ${id}`);
      store.users.delete(user.id);
      store.changed();
      return user;
    },
  };
}
