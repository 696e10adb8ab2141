import { describe, expect, it } from 'vitest';
import { chunkByBytes } from './send-in-chunks.ts';

describe('chunkByBytes', () => {
  it('keeps order and stays under the limit, with an oversized message alone', () => {
    const messages = [
      { value: 'a'.repeat(300) },
      { value: 'b'.repeat(300) },
      { value: 'c'.repeat(2_000) },
      { value: 'd'.repeat(100), key: 'k' },
    ];
    const chunks = chunkByBytes(messages, 1_000);
    expect(chunks.map((c) => c.map((m) => String(m.value)[0]).join(''))).toEqual(['ab', 'c', 'd']);
    expect(chunks.flat()).toEqual(messages);
  });

  it('budgets each explicit partition on its own, keyed messages together', () => {
    const messages = [
      { value: 'a'.repeat(600), partition: 0 },
      { value: 'b'.repeat(600), partition: 1 },
      { value: 'c'.repeat(200), partition: 0 },
      { value: 'd'.repeat(600), partition: 0 },
      { value: 'e'.repeat(600), key: 'k' },
      { value: 'f'.repeat(600), key: 'j' },
    ];
    const chunks = chunkByBytes(messages, 1_000);
    expect(chunks.map((c) => c.map((m) => String(m.value)[0]).join(''))).toEqual(['abc', 'de', 'f']);
    expect(chunks.flat()).toEqual(messages);
  });

  it('returns nothing for nothing', () => {
    expect(chunkByBytes([])).toEqual([]);
  });
});
