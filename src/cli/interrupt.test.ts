import { afterEach, describe, expect, it, vi } from 'vitest';
import { Interrupted, onInterrupt } from './interrupt.ts';

afterEach(() => vi.restoreAllMocks());

describe('Ctrl-C in a command that runs steps', () => {
  it('rejects the step in flight at the first signal, so the command unwinds and stops what it started', async () => {
    const lines: string[] = [];
    const interrupt = onInterrupt((l) => lines.push(l));
    try {
      const step = interrupt.race(new Promise(() => undefined));
      process.emit('SIGINT', 'SIGINT');
      await expect(step).rejects.toBeInstanceOf(Interrupted);
      expect(interrupt.signal.aborted).toBe(true);
      await expect(interrupt.race(Promise.resolve(1))).rejects.toThrow('interrupted by SIGINT');
      expect(lines).toEqual(['SIGINT: stopping everything this command started (again to exit at once)']);
    } finally {
      interrupt.dispose();
    }
  });

  it('passes results through while no signal came', async () => {
    const interrupt = onInterrupt(() => undefined);
    try {
      expect(await interrupt.race(Promise.resolve(42))).toBe(42);
      await expect(interrupt.race(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    } finally {
      interrupt.dispose();
    }
  });

  it('exits at once on a second signal', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const interrupt = onInterrupt(() => undefined);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGTERM', 'SIGTERM');
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      interrupt.dispose();
    }
  });

  it('gives the signals back when disposed', () => {
    const before = process.listenerCount('SIGINT');
    onInterrupt(() => undefined).dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
