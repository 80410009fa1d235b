import type { Lifetimes } from '../http/emulator.context';
import type { PkiStore } from '../pki/pki.store';
import type { CallCounter } from '../scenarios/call.counter';
import type { BarrierInput, CrmBarrier } from '../scenarios/crm-barrier';
import { ControlInputError, type ScenarioEngine } from '../scenarios/scenario.engine';
import type { OrgState, PersistedState } from '../state/emulator-state.model';
import type { StateStore } from '../state/state.store';
import { orgOrThrow as requireOrg } from './control-input';
import type { EmulatorControl } from './control-types';
import { directoryControl } from './directory.control';
import { pkiControl } from './pki.control';
import { recordControl } from './record.control';

export { ControlNotFoundError } from './control-input';
export * from './control-types';

/** Wiring the control needs from the running emulator. */
export interface ControlDeps {
  store: StateStore;
  pki: PkiStore;
  scenarios: ScenarioEngine;
  counter: CallCounter;
  lifetimes: Lifetimes;
  defaultLifetimes: Lifetimes;
  seed: () => PersistedState;
  earlyExpired: Set<string>;
  /** The CrmService's barrier (`/_control/crm/barrier`); without it, arming one is refused. */
  barrier?: CrmBarrier;
  /** The identity platform's directory; reset to its seed with the rest. */
  entra?: { reset(): void };
}

/**
 * Every CRM ticket issued so far for `org` (all orgs when undefined) now counts as expired: the
 * CrmService answers it with 0x8004A101, as CRM Online answers a ticket past its lifetime.
 */
export function expireCrmTickets(
  store: StateStore,
  org: string | undefined,
): { org: string; expiredAt: string } {
  const key = org ?? '*';
  const now = Date.now();
  store.ticketCutoffs[key] = now;
  store.changed();
  return { org: key, expiredAt: new Date(now).toISOString() };
}

/** Creates the in-process control of one emulator. */
export function createEmulatorControl(deps: ControlDeps): EmulatorControl {
  const { store } = deps;
  const orgOrThrow = (name: string): OrgState => requireOrg(store, name);

  return {
    async reset() {
      deps.barrier?.clear();
      deps.entra?.reset();
      store.load(deps.seed());
      deps.counter.reset();
      deps.earlyExpired.clear();
      Object.assign(deps.lifetimes, deps.defaultLifetimes);
      await store.flush();
    },

    state() {
      const certsByAccount = new Map<string, string[]>();
      for (const c of store.certs.values()) {
        if (!c.account) continue;
        const key = c.account.toLowerCase();
        certsByAccount.set(key, [...(certsByAccount.get(key) ?? []), c.thumbprint]);
      }
      return {
        orgs: [...store.orgs.values()],
        users: [...store.users.values()].map((u) => ({ ...u, puid: store.liveAccount(u.liveId)?.puid })),
        accounts: [...store.liveAccounts.values()].map((a) => ({
          ...a,
          certificates: certsByAccount.get(a.liveId.toLowerCase()) ?? [],
        })),
        certificates: [...store.certs.values()],
        scenarios: deps.scenarios.list(),
        lifetimes: { ...deps.lifetimes },
      };
    },

    addScenario: (input) => deps.scenarios.add(input),
    removeScenario: (id) => deps.scenarios.remove(id),
    clearScenarios: () => deps.scenarios.clear(),

    setLifetimes(input) {
      const entries: Array<[keyof Lifetimes, unknown]> = [
        ['crmTicketSec', input.crmTicketSec],
        ['passportTicketSec', input.passportTicketSec],
        ['rpsTicketSec', input.rpsTicketSec],
      ];
      for (const [key, value] of entries) {
        if (value === undefined) continue;
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 31_536_000) {
          throw new ControlInputError(`${key} must be a number of seconds between 1 and 31536000`);
        }
      }
      for (const [key, value] of entries)
        if (typeof value === 'number') deps.lifetimes[key] = Math.floor(value);
      return { ...deps.lifetimes };
    },

    expireTickets: (input) => expireCrmTickets(store, input?.org ? orgOrThrow(input.org).name : undefined),

    armBarrier(input: BarrierInput) {
      if (!deps.barrier) throw new ControlInputError('This emulator has no CrmService barrier');
      const org = typeof input.org === 'string' ? orgOrThrow(input.org).name : input.org;
      return deps.barrier.arm({ ...input, org });
    },
    barrier: () => deps.barrier?.status(),
    cancelBarrier() {
      deps.barrier?.cancel();
      return deps.barrier?.status();
    },

    counts: () => deps.counter.snapshot(),
    resetCounts: () => deps.counter.reset(),
    ...recordControl(store),
    ...pkiControl(store, deps.pki),
    ...directoryControl(store),
  };
}
