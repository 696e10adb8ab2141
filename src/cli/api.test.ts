import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/load-config.ts';
import { apiCommand } from './api.ts';
import { UsageError } from './command.ts';

const io = (env: Record<string, string>) => ({ out: () => undefined, err: () => undefined, env });

describe('marquee api', () => {
  it('refuses to start outside development without a JWT secret or public key', async () => {
    await expect(
      apiCommand.run([], io({ MARQUEE_MODE: 'production', NOISE_SECRET: 'x'.repeat(16) })),
    ).rejects.toThrow(new ConfigError('JWT_SECRET', 'required in production mode (or set JWT_PUBLIC_KEY)'));
  });

  it('refuses to start outside development without a noise secret', async () => {
    await expect(
      apiCommand.run([], io({ MARQUEE_MODE: 'test', JWT_SECRET: 'y'.repeat(32) })),
    ).rejects.toThrow(/NOISE_SECRET/);
  });

  it('rejects unknown options and bad numbers as usage errors', async () => {
    await expect(apiCommand.run(['--bogus'], io({}))).rejects.toBeInstanceOf(UsageError);
    await expect(apiCommand.run(['--workers', 'many'], io({}))).rejects.toBeInstanceOf(UsageError);
  });
});
