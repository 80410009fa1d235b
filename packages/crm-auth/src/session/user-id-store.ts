/**
 * A cached answer of RetrieveCrmUserIdByExternalId: the user's systemuserid, or a negative entry
 * (no user with that PUID in the org), each with an expiry.
 */
export type UserIdEntry = { userId: string; expiresAt: number } | { negative: true; expiresAt: number };

/**
 * PUID → systemuserid for ONE org (give each session its own store, or key by org in an
 * adapter). Keys are HexPUIDs in upper case. The session reads before a lookup and writes each
 * answer (positive or negative) through `set`. The API passes none (`userIdStore: null`): its
 * `user_mappings` table is its one cache, kept by its UserMappingsService.
 */
export interface UserIdStore {
  get(hexPuid: string): Promise<UserIdEntry | undefined>;
  set(hexPuid: string, entry: UserIdEntry): Promise<void>;
}

/** The default {@link UserIdStore}: memory, bounded, expired entries dropped on read. */
export class MemoryUserIdStore implements UserIdStore {
  readonly #map = new Map<string, UserIdEntry>();
  readonly #clock: () => number;
  readonly #maxEntries: number;

  constructor(options: { clock?: () => number; maxEntries?: number } = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  async get(hexPuid: string): Promise<UserIdEntry | undefined> {
    const entry = this.#map.get(hexPuid);
    if (entry && entry.expiresAt <= this.#clock()) {
      this.#map.delete(hexPuid);
      return undefined;
    }
    return entry ? { ...entry } : undefined;
  }

  async set(hexPuid: string, entry: UserIdEntry): Promise<void> {
    this.#map.delete(hexPuid);
    this.#map.set(hexPuid, { ...entry });
    // Oldest first out: a burst of unknown PUIDs cannot grow memory without bound.
    while (this.#map.size > this.#maxEntries) {
      const oldest = this.#map.keys().next().value;
      if (oldest === undefined) break;
      this.#map.delete(oldest);
    }
  }
}
