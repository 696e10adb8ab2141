import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import { AppendOnlySet } from './append-only-set.ts';

describe('AppendOnlySet', () => {
  it('adds, ignores duplicates, and leaves every earlier version as it was', () => {
    const empty = AppendOnlySet.empty();
    const a = empty.add('a');
    const ab = a.add('b');
    expect(ab.add('a')).toBe(ab);
    expect([...empty, ...a].length).toBe(1);
    expect([...ab]).toEqual(['a', 'b']);
    expect([empty.size, a.size, ab.size]).toEqual([0, 1, 2]);
    expect([empty.has('a'), a.has('a'), a.has('b'), ab.has('b')]).toEqual([false, true, false, true]);
  });

  it('branches an older version off without touching the newer one (a batch retried from its start)', () => {
    const start = AppendOnlySet.of(['x', 'y']);
    const failed = start.add('a').add('b');
    const retried = start.add('b').add('c');
    expect([...failed]).toEqual(['x', 'y', 'a', 'b']);
    expect([...retried]).toEqual(['x', 'y', 'b', 'c']);
    expect([...start]).toEqual(['x', 'y']);
    expect([start.has('a'), retried.has('a'), failed.has('c')]).toEqual([false, false, false]);
    expect(retried.addedSince(start)).toEqual(['b', 'c']);
    expect(failed.addedSince(start)).toEqual(['a', 'b']);
    expect(retried.addedSince(failed)).toEqual(['c']);
  });

  it('never shares a log between two sets made empty', () => {
    const one = AppendOnlySet.empty().add('u');
    const other = AppendOnlySet.empty().add('v');
    expect([...one]).toEqual(['u']);
    expect([...other]).toEqual(['v']);
  });

  it('holds what a Set holds after any mix of adds on old and new versions', () => {
    const random = createRandom(3);
    const versions: [AppendOnlySet, Set<string>][] = [[AppendOnlySet.empty(), new Set()]];
    for (let k = 0; k < 2_000; k++) {
      // Mostly the newest version, sometimes an old one.
      const j = random.next() < 0.9 ? versions.length - 1 : random.int(versions.length);
      const [set, reference] = versions[j] as [AppendOnlySet, Set<string>];
      const item = `u${random.int(300)}`;
      versions.push([set.add(item), new Set(reference).add(item)]);
    }
    for (const [set, reference] of versions) {
      expect(set.size).toBe(reference.size);
      expect([...set]).toEqual([...reference]);
      for (let u = 0; u < 300; u += 7) expect(set.has(`u${u}`)).toBe(reference.has(`u${u}`));
    }
  });
});
