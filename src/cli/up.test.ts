import { runCli } from '../../test/support/run-cli.ts';
import { describe, expect, it } from 'vitest';
import { optionalServices } from '../services/services.ts';
import { planRoles, roleArgs, upCommand } from './up.ts';

describe('marquee up', () => {
  it('runs the registered roles and skips those with no command yet, in start order', () => {
    expect(planRoles(['stream', 'sink', 'worker', 'api'], ['api', 'sink', 'stream', 'demo'])).toEqual({
      run: ['stream', 'sink', 'api'],
      skipped: ['worker'],
    });
  });

  it('passes --api-workers to the API only', () => {
    expect(roleArgs('api', 2)).toEqual(['api', '--workers', '2']);
    expect(roleArgs('sink', 2)).toEqual(['sink']);
  });

  it('passes --dataset to the stream only, where ingest reads metadata from it', () => {
    expect(roleArgs('stream', 1, 'ml-latest-small')).toEqual(['stream', '--dataset', 'ml-latest-small']);
    expect(roleArgs('stream', 1)).toEqual(['stream']);
    expect(roleArgs('worker', 1, 'ml-latest-small')).toEqual(['worker']);
  });

  it('refuses unknown roles and a fractional worker count before starting anything', async () => {
    expect(await runCli(['up', '--only', 'sink,ingest'])).toMatchObject({
      code: 2,
      text: expect.stringContaining(
        "--only takes stream, sink, worker, api, comma-separated; got 'sink,ingest'",
      ),
    });
    expect(await runCli(['up', '--api-workers', '1.5'])).toMatchObject({
      code: 2,
      text: expect.stringContaining('--api-workers must be a whole number'),
    });
  });

  it('lists in its help every service --with accepts, and names them when refusing another', async () => {
    const usageLine = upCommand.usage.split('\n').find((l) => l.includes('[--with '));
    expect(usageLine).toContain(`[--with ${optionalServices.join(',')}]`);
    expect(upCommand.usage).toMatch(new RegExp(`^  --with ${optionalServices.join(',')}$`, 'm'));
    expect(await runCli(['up', '--with', 'jaeger,grafana'])).toMatchObject({
      code: 2,
      text: expect.stringMatching(
        new RegExp(
          `^marquee up: --with takes ${optionalServices.join(', ')}, comma-separated; got 'grafana'$`,
          'm',
        ),
      ),
    });
  });
});
