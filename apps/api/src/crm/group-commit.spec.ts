import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('writes a lone item at once and batches the items that arrive during a write', async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const gc = new GroupCommit<number>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = gc.add(1);
    const rest = [gc.add(2), gc.add(3), gc.add(4)];
    expect(writes).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('settles each caller only after its own batch, and rejects a failed batch only', async () => {
    let n = 0;
    const gc = new GroupCommit<string>(async (items) => {
      n++;
      if (items.includes('bad')) throw new Error('write failed');
    });
    const a = gc.add('ok');
    const b = gc.add('bad');
    const c = gc.add('also in the failed batch');
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow('write failed');
    await expect(c).rejects.toThrow('write failed');
    await expect(gc.add('later')).resolves.toBeUndefined();
    expect(n).toBe(3);
  });

  it('caps a batch', async () => {
    const sizes: number[] = [];
    let release: () => void = () => undefined;
    const gc = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
      if (sizes.length === 1) await new Promise<void>((r) => (release = r));
    }, 3);
    const all = [gc.add(0), ...Array.from({ length: 7 }, (_, i) => gc.add(i + 1))];
    release();
    await Promise.all(all);
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
