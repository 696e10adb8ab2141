import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../../config/load-config.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import { buildReplay } from '../data/replay.ts';
import { produceReplay } from '../data/replay-producer.ts';
import type { Command } from './command.ts';
import { datasetFromOptions, datasetOptions, datasetUsage } from './dataset-option.ts';
import { numberOption, parseOptions } from './options.ts';

/** `marquee replay`: a dataset into the movielog topic as course lines. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'write a dataset to the movielog topic as course log lines, in time order, at a chosen rate',
  usage: `usage: marquee replay [options]

Writes the dataset's watches and ratings to MOVIELOG_TOPIC as course movielog lines in time order.
${datasetUsage}
  --limit N              at most N lines (the earliest)
  --rate N               lines per second (default: flat out)
  --malformed SHARE      share of lines broken on purpose, 0..1 (default 0)
  --corruption-seed N    seed of which lines are broken (default 1)`,
  async run(args, io) {
    const values = parseOptions(args, {
      ...datasetOptions,
      limit: { type: 'string' },
      rate: { type: 'string' },
      malformed: { type: 'string' },
      'corruption-seed': { type: 'string' },
    });
    const limit = numberOption(values.limit, 'limit', Infinity, 1, Number.MAX_SAFE_INTEGER);
    const rate = values.rate === undefined ? undefined : numberOption(values.rate, 'rate', 0, 1, 10_000_000);
    const malformedShare = numberOption(values.malformed, 'malformed', 0, 0, 1);
    const seed = numberOption(values['corruption-seed'], 'corruption-seed', 1, 0, 2 ** 32 - 1);
    const config = loadConfig(io.env);
    const dataset = await datasetFromOptions(values);
    const messages = buildReplay(dataset, { limit, malformedShare, seed });
    const kafka = createKafka(config, 'replay');
    await prepareTopics(kafka, config);
    const topic = topicNames(config).movielog;
    const bar = new SingleBar(
      {
        format: `replay ${dataset.name} → ${topic} [{bar}] {percentage}% {value}/{total} lines, ETA {eta_formatted}`,
        stream: process.stderr,
      },
      Presets.shades_classic,
    );
    bar.start(messages.length, 0);
    const started = Date.now();
    const sent = await produceReplay(kafka, topic, messages, {
      ...(rate === undefined ? {} : { rate }),
      onProgress: (n) => bar.update(n),
    });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    const broken = messages.filter((m) => m.corruption !== undefined).length;
    io.out(
      `replayed ${sent} lines (${broken} malformed) to ${topic} in ${seconds.toFixed(1)} s (${Math.round(sent / Math.max(seconds, 0.001))} lines/s)`,
    );
    return 0;
  },
};
