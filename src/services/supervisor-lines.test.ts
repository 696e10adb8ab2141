import { describe, expect, it } from 'vitest';
import { crashesWithin, createLineSplitter, labelFor } from './supervisor-lines.ts';

describe('createLineSplitter', () => {
  it('emits whole lines across chunks, drops CR of CRLF, and flushes the last partial line on end', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push('a\r\nb');
    splitter.push('c\n\nd');
    expect(lines).toEqual(['a', 'bc', '']);
    splitter.end();
    expect(lines).toEqual(['a', 'bc', '', 'd']);
  });

  it('cuts a line that never ends into 64 KiB pieces rather than holding it', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push('x'.repeat(150 * 1024));
    expect(lines.map((l) => l.length)).toEqual([65_536, 65_536]);
    splitter.end();
    expect(lines.at(-1)?.length).toBe(150 * 1024 - 2 * 65_536);
  });
});

describe('labelFor', () => {
  it('pads every name to one column', () => {
    expect(['stream', 'api'].map((n) => labelFor(n, 6))).toEqual(['[stream] ', '[api]    ']);
  });
});

describe('crashesWithin', () => {
  it('forgets crashes older than the window', () => {
    expect(crashesWithin([0, 10_000, 10_001, 70_000], 70_000, 60_000)).toEqual([10_001, 70_000]);
  });
});
