import { describe, expect, it } from 'vitest';
import { writeUntilDone } from './write-until-done.ts';

describe('writeUntilDone', () => {
  it('retries a failing write with heartbeats and a log line each time, until it succeeds', async () => {
    let calls = 0;
    let beats = 0;
    const lines: string[] = [];
    const result = await writeUntilDone(
      async () => {
        if (++calls < 3) throw new Error(`down ${calls}`);
        return 'written';
      },
      {
        isCurrent: () => true,
        heartbeat: async () => void beats++,
        firstDelayMs: 1,
        log: (l) => lines.push(l),
        what: 'sink: write',
      },
    );
    expect([result, calls, beats]).toEqual(['written', 3, 2]);
    expect(lines).toEqual([
      'sink: write failed (Error: down 1); retrying in 1 ms',
      'sink: write failed (Error: down 2); retrying in 2 ms',
    ]);
  });

  it('rethrows once the batch is no longer this consumer’s', async () => {
    let current = true;
    let calls = 0;
    const write = async () => {
      calls++;
      current = calls < 2;
      throw new Error('down');
    };
    await expect(
      writeUntilDone(write, {
        isCurrent: () => current,
        heartbeat: async () => {},
        firstDelayMs: 1,
        what: 'x',
      }),
    ).rejects.toThrow('down');
    expect(calls).toBe(2);
  });
});
