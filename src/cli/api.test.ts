import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/load-config.ts';
import { apiCommand, corsOrigin } from './api.ts';
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
    // Bounded, and checked before anything connects: a thousand forks or a negative rate never start.
    await expect(apiCommand.run(['--workers', '1000'], io({}))).rejects.toThrow(
      "--workers must be a number within 0..64, got '1000'",
    );
    await expect(apiCommand.run(['--rate-limit', '-3'], io({}))).rejects.toThrow(
      "--rate-limit must be a number within 0..1000000, got '-3'",
    );
    await expect(apiCommand.run(['--noise-scale', '9'], io({}))).rejects.toThrow(/--noise-scale must be/);
  });

  it('takes a --cors-origin only as the Origin header a browser sends: http(s)://host[:port]', () => {
    for (const origin of ['https://app.example.com', 'http://localhost:3000', 'http://[::1]:8080'])
      expect(corsOrigin(origin)).toBe(origin);
    const refusal =
      "--cors-origin takes an origin, http(s)://host[:port] as a browser sends it, got 'notaurl'";
    expect(() => corsOrigin('notaurl')).toThrow(new UsageError(refusal));
    expect(() => corsOrigin('ftp://files.example')).toThrow(/got 'ftp:\/\/files\.example'$/);
    expect(() => corsOrigin('https://app.example.com/')).toThrow(
      /\(did you mean 'https:\/\/app\.example\.com'\?\)$/,
    );
    expect(() => corsOrigin('https://App.example.com:443')).toThrow(
      /did you mean 'https:\/\/app\.example\.com'/,
    );
    expect(() => corsOrigin('*')).toThrow(UsageError);
  });

  it('refuses a bad --cors-origin, a fractional --port and a negative number as usage errors before starting', async () => {
    await expect(apiCommand.run(['--cors-origin', 'notaurl'], io({}))).rejects.toThrow(
      /--cors-origin takes an origin/,
    );
    await expect(apiCommand.run(['--port', '80.5'], io({}))).rejects.toThrow(
      "--port must be a whole number, got '80.5'",
    );
    await expect(apiCommand.run(['--port', '-1'], io({}))).rejects.toThrow(
      "--port must be a number within 0..65535, got '-1'",
    );
  });

  it('describes every option its usage line lists', () => {
    const [synopsis = '', ...rest] = apiCommand.usage.split('\n\n');
    const described = rest.join('\n');
    for (const [, option] of synopsis.matchAll(/\[(--[a-z-]+)/g))
      expect(described).toMatch(new RegExp(`^  ${option} `, 'm'));
  });
});
