import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  CertRegistration,
  EntityRecord,
  LiveAccount,
  OrgState,
  PersistedState,
  ScenarioState,
  UserState,
} from './emulator-state.model';

const SAVE_DELAY_MS = 150;

/** Lower-case GUID without braces: the one internal form of every id. */
export function normalizeGuid(value: string): string {
  return value
    .trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase();
}

const GUID_RE = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/;

/** True for a GUID with or without braces, any case. */
export function isGuid(value: string): boolean {
  return GUID_RE.test(value.trim());
}

/**
 * The emulator's state: orgs, Live accounts, users, records, certificates, scenarios and ticket
 * cut-offs. In memory with indexes for the hot path; written as one JSON snapshot shortly after
 * each change (debounced), atomically via rename so that a crash never leaves half a file.
 */
export class StateStore {
  orgs = new Map<string, OrgState>();
  users = new Map<string, UserState>();
  liveAccounts = new Map<string, LiveAccount>();
  records = new Map<string, Map<string, Map<string, EntityRecord>>>();
  certs = new Map<string, CertRegistration>();
  scenarios: ScenarioState[] = [];
  ticketCutoffs: Record<string, number> = {};
  crl = { number: 1, nextUpdate: 0 };

  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private listeners: Array<() => void> = [];

  private constructor(private readonly file: string | undefined) {}

  /** Loads `file` if it exists, else starts from `seed()`. */
  static async open(
    file: string | undefined,
    seed: () => PersistedState,
  ): Promise<{ store: StateStore; restored: boolean }> {
    const store = new StateStore(file);
    let restored = false;
    if (file) {
      await mkdir(path.dirname(file), { recursive: true });
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as PersistedState;
        if (parsed.version !== 1) throw new Error(`Unsupported state version in ${file}`);
        store.load(parsed);
        restored = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (!restored) {
      store.load(seed());
      store.changed();
    }
    return { store, restored };
  }

  /** Replaces the whole state (reset to the seed). */
  load(state: PersistedState): void {
    this.orgs = new Map(state.orgs.map((o) => [o.name.toLowerCase(), { ...o }]));
    this.users = new Map(state.users.map((u) => [u.id, { ...u, org: u.org.toLowerCase() }]));
    this.liveAccounts = new Map(state.liveAccounts.map((a) => [a.liveId.toLowerCase(), { ...a }]));
    this.records = new Map();
    for (const [org, entities] of Object.entries(state.records)) {
      const byEntity = new Map<string, Map<string, EntityRecord>>();
      for (const [entity, list] of Object.entries(entities)) {
        byEntity.set(entity, new Map(list.map((r) => [r.id, structuredClone(r)])));
      }
      this.records.set(org.toLowerCase(), byEntity);
    }
    this.certs = new Map(state.certs.map((c) => [c.thumbprint, { ...c }]));
    this.scenarios = state.scenarios.map((s) => ({ ...s, params: { ...s.params } }));
    this.ticketCutoffs = { ...state.ticketCutoffs };
    this.crl = { ...state.crl };
    this.changed();
  }

  /** The persisted form of the current state. */
  snapshot(): PersistedState {
    const records: PersistedState['records'] = {};
    for (const [org, byEntity] of this.records) {
      const entities: Record<string, EntityRecord[]> = {};
      for (const [entity, map] of byEntity) entities[entity] = [...map.values()];
      records[org] = entities;
    }
    return {
      version: 1,
      orgs: [...this.orgs.values()],
      liveAccounts: [...this.liveAccounts.values()],
      users: [...this.users.values()],
      records,
      certs: [...this.certs.values()],
      scenarios: this.scenarios,
      ticketCutoffs: this.ticketCutoffs,
      crl: this.crl,
    };
  }

  /** Called on anything that changes state: schedules a write and tells listeners (CRL cache). */
  changed(): void {
    for (const listener of this.listeners) listener();
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.writeNow();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Registers a callback run on every change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Writes any pending change now; used by close(). */
  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      await this.writeNow();
    }
    await this.saving;
  }

  private writeNow(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    // Writes are chained so that an older snapshot can never land after a newer one.
    this.saving = this.saving
      .then(async () => {
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(this.snapshot()));
        await rename(tmp, file);
      })
      .catch(() => undefined);
    return this.saving;
  }

  org(name: string): OrgState | undefined {
    return this.orgs.get(name.trim().toLowerCase());
  }

  user(id: string): UserState | undefined {
    return this.users.get(normalizeGuid(id));
  }

  /** The systemuser of `org` that signs in as `liveId`. */
  userByLiveId(org: string, liveId: string): UserState | undefined {
    const o = org.toLowerCase();
    const l = liveId.toLowerCase();
    for (const u of this.users.values()) if (u.org === o && u.liveId.toLowerCase() === l) return u;
    return undefined;
  }

  usersOf(org: string): UserState[] {
    const o = org.toLowerCase();
    return [...this.users.values()].filter((u) => u.org === o);
  }

  liveAccount(liveId: string): LiveAccount | undefined {
    return this.liveAccounts.get(liveId.trim().toLowerCase());
  }

  liveAccountByPuid(puid: string): LiveAccount | undefined {
    const p = puid.trim().toUpperCase();
    for (const a of this.liveAccounts.values()) if (a.puid.toUpperCase() === p) return a;
    return undefined;
  }

  /** The records of one entity in one org (created on first use). */
  table(org: string, entity: string): Map<string, EntityRecord> {
    const o = org.toLowerCase();
    let byEntity = this.records.get(o);
    if (!byEntity) this.records.set(o, (byEntity = new Map()));
    let table = byEntity.get(entity);
    if (!table) byEntity.set(entity, (table = new Map()));
    return table;
  }
}
