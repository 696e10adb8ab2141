import type { QueueEvents } from 'bullmq';
import { Presets, SingleBar } from 'cli-progress';
import { progressOf } from '../jobs/retrain-queue.ts';

/** A drawn progress bar; `stop(true)` fills it first (the job finished). */
export interface RetrainBar {
  stop(finished: boolean): void;
}

/**
 * A progress bar for one retrain job with its stage and ETA, from the job's progress events
 * (`marquee retrain --wait`, `marquee demo`). cli-progress draws only on a terminal.
 */
export function retrainProgressBar(
  events: QueueEvents,
  jobId: string,
  stream: NodeJS.WriteStream = process.stderr,
): RetrainBar {
  const bar = new SingleBar(
    { format: 'retrain [{bar}] {percentage}% | {stage} | ETA {eta_s}', stream, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(100, 0, { stage: 'queued', eta_s: '?' });
  const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
    const p = progressOf(data);
    if (id !== jobId || p === null) return;
    const eta = p.etaSeconds === null ? '?' : `${Math.ceil(p.etaSeconds)} s`;
    bar.update(Math.round(p.fraction * 100), { stage: p.stage, eta_s: eta });
  };
  events.on('progress', onProgress);
  return {
    stop(finished) {
      events.off('progress', onProgress);
      if (finished) bar.update(100, { stage: 'done', eta_s: '0 s' });
      bar.stop();
    },
  };
}
