/**
 * Mutation-testing addition (stryker/README.md) for MemoryUserIdStore's bound.
 */
import { describe, expect, it } from 'vitest';
import { MemoryUserIdStore } from '../../src/session/user-id-store';

describe('MemoryUserIdStore: its bound', () => {
  it('with a bound below zero, keeps nothing and still returns from set', async () => {
    const store = new MemoryUserIdStore({ clock: () => 0, maxEntries: -1 });
    await store.set('0003BFFD8F3A5B21', { userId: 'u', expiresAt: 10 });
    expect(await store.get('0003BFFD8F3A5B21')).toBeUndefined();
  });
});
