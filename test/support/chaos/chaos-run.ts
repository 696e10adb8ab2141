/**
 * The chaos suite's run (`npm run chaos`, and its short form in `npm test`): Marquee as `marquee up
 * --no-services --only stream,sink,api` on private Kafka, Redis and Postgres (chaos-stack.ts), under
 * paced /recommend load and a paced replay of a synthetic world into the movielog topic, while Kafka,
 * then Redis, then Postgres are SIGKILLed (one at a time) and started again. Reports the API's
 * answers throughout, the roles' exits, and the final counts in Postgres and Redis against those
 * computed from what the movielog topic holds (final-counts.ts); chaos-report.ts judges it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../config/load-config.ts';
import { buildReplay } from '../../../src/data/replay.ts';
import { sleep } from '../../../src/lib/time.ts';
import { topicNames } from '../../../streams/topics.ts';
import type { TestScope } from '../../isolation.ts';
import type { UpProcess } from '../marquee-up-process.ts';
import { startPrivateServices } from '../private-services.ts';
import {
  CHAOS_FAULTS,
  summarizeAnswers,
  type ChaosOptions,
  type ChaosReport,
  type Fault,
} from './chaos-report.ts';
import { startChaosStack } from './chaos-stack.ts';
import { finalCounts } from './final-counts.ts';
import { startRecommendLoad } from './recommend-load.ts';
import { resilientReplay } from './resilient-replay.ts';

/** Where each run leaves `marquee up`'s output (its roles' lines through the faults). */
export const ARTIFACTS = 'test-artifacts/chaos';

/** Runs the whole chaos scenario and reports; everything it started is stopped and removed. */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  o.log('starting private Kafka, Redis and Postgres');
  const services = await startPrivateServices(loadConfig(process.env).home);
  let scope: TestScope | undefined;
  let up: UpProcess | undefined;
  try {
    const stack = await startChaosStack(o.label, o.ratings, services, (parts) => {
      scope = parts.scope;
      up = parts.up;
    });
    o.log(`marquee up (stream, sink, api) ready on ${stack.base}`);
    const messages = buildReplay(stack.world);
    const faults: Fault[] = [];
    const started = Date.now();
    const since = () => Date.now() - started;
    const load = startRecommendLoad(stack.base, o.recommendRate, started);
    o.log(`replaying ${messages.length} movielog lines at ${o.replayRate}/s`);
    const movielog = topicNames(stack.scope.config).movielog;
    const replay = resilientReplay(stack.scope.kafka, movielog, messages, o.replayRate);
    for (const service of CHAOS_FAULTS) {
      await sleep(o.settleMs);
      services.kill(service);
      const killedAt = since();
      o.log(`${service}: SIGKILL at ${(killedAt / 1000).toFixed(1)} s`);
      await sleep(o.downMs);
      await services.up(service);
      const upAt = since();
      o.log(`${service}: answering again at ${(upAt / 1000).toFixed(1)} s`);
      faults.push({ service, killedAt, upAt });
    }
    await sleep(o.settleMs);
    const answers = await load.stop();
    const replayed = await replay;
    const lastUp = Date.now();
    o.log(`load stopped after ${answers.length} requests; replay done (${replayed.retries} batches resent)`);
    const counts = await finalCounts(stack.scope, stack.clientId, o.catchUpMs, lastUp);
    return {
      faults,
      ...summarizeAnswers(answers, faults),
      replay: { lines: messages.length, sendRetries: replayed.retries, inTopic: counts.inTopic },
      postgres: counts.postgres,
      redisExact: counts.redisExact,
      redisDiff: counts.redisDiff,
      roleExits: stack.up
        .output()
        .split('\n')
        .filter((line) => /^\[[a-z]+\] +(exited|killed)/.test(line)),
      catchUpSeconds: counts.catchUpSeconds,
    };
  } finally {
    const started: UpProcess | undefined = up;
    await started?.stop().catch(() => undefined);
    if (started !== undefined) {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `${o.label}-marquee-up.log`), started.output());
    }
    await (scope as TestScope | undefined)?.cleanup().catch(() => undefined);
    await services.remove();
  }
}
