/** Paced /recommend load through the faults: one call every 1/rate s, over 300 users in turn. */
import { sleep } from '../../../src/lib/time.ts';
import { callRecommend, type RecommendAnswer } from '../recommend-calls.ts';

/** Load under way; `stop` ends it and resolves with every answer (`at`: ms from `started`). */
export interface RecommendLoad {
  stop(): Promise<{ readonly at: number; readonly answer: RecommendAnswer }[]>;
}

/** Starts calling `base`/recommend at `rate` per second from `started` (epoch ms). */
export function startRecommendLoad(base: string, rate: number, started: number): RecommendLoad {
  const answers: { at: number; answer: RecommendAnswer }[] = [];
  let on = true;
  const running = (async () => {
    const calls: Promise<void>[] = [];
    for (let k = 0; on; k++) {
      const due = started + (k * 1000) / rate;
      await sleep(Math.max(0, due - Date.now()));
      const at = Date.now() - started;
      calls.push(
        callRecommend(base, String(1 + (k % 300))).then((answer) => void answers.push({ at, answer })),
      );
    }
    await Promise.all(calls);
  })();
  return {
    async stop() {
      on = false;
      await running;
      return answers;
    },
  };
}
