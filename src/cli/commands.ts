import { apiCommand } from './api.ts';
import { auditCommand } from './audit.ts';
import type { Command } from './command.ts';
import { demoCommand } from './demo.ts';
import { experimentCommand } from './experiment.ts';
import { ingestCommand } from './ingest.ts';
import { migrateCommand } from './migrate.ts';
import { modelCommand } from './model.ts';
import { replayCommand } from './replay.ts';
import { retrainCommand } from './retrain.ts';
import { servicesCommand } from './services.ts';
import { sinkCommand } from './sink.ts';
import { streamCommand } from './stream.ts';
import { tokenCommand } from './token.ts';
import { trainCommand } from './train.ts';
import { upCommand } from './up.ts';
import { workerCommand } from './worker.ts';

/** Every command the CLI offers. Only commands that work are listed here. */
export const commands: readonly Command[] = [
  upCommand,
  demoCommand,
  servicesCommand,
  migrateCommand,
  replayCommand,
  ingestCommand,
  sinkCommand,
  streamCommand,
  trainCommand,
  apiCommand,
  workerCommand,
  retrainCommand,
  modelCommand,
  auditCommand,
  experimentCommand,
  tokenCommand,
];
