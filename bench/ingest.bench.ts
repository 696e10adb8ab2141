/**
 * `npm run bench:ingest`: lines per second of the movielog parser alone, and end to end
 * (replay → Kafka → ingest → Kafka → sink → Postgres) on the local services, medians of several runs,
 * with where the time goes. Options: --lines N (default 100,000), --runs R (default 3).
 * Kafka, Redis and Postgres run on the same 2 cores as the benchmark: say so next to the figures.
 */
import { parseArgs } from 'node:util';
import { loadConfigForServices } from '../config/load-config.ts';
import { startIngest } from '../streams/ingest.ts';
import { parseMovielogLine } from '../streams/movielog-parser.ts';
import { startPostgresSink } from '../streams/postgres-sink.ts';
import { ensureTopics, topicNames } from '../streams/topics.ts';
import { buildReplay } from '../src/data/replay.ts';
import { produceReplay } from '../src/data/replay-producer.ts';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { median } from '../src/model/eval/evaluate.ts';
import { formatStatus, localServices, servicesUp } from '../src/services/services.ts';
import { waitUntil } from '../src/lib/time.ts';
import { createTestScope } from '../test/isolation.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } },
});
const lines = Number(values.lines);
const runs = Number(values.runs);

const world = generateSyntheticWorld({ users: 3_000, movies: 4_000, ratings: Math.ceil(lines / 3), seed: 5 });
const messages = buildReplay(world, { limit: lines, malformedShare: 0.02, seed: 1 });
const texts = messages.map((m) => m.value);
const valid = texts.filter((t) => parseMovielogLine(t).ok).length;
console.log(`workload: ${messages.length} synthetic movielog lines (${messages.length - valid} malformed)`);

// Parser alone.
const parserRates: number[] = [];
for (let run = 0; run < 7; run++) {
  const start = process.hrtime.bigint();
  let ok = 0;
  for (const text of texts) if (parseMovielogLine(text).ok) ok += 1;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (ok !== valid) throw new Error('parser is not deterministic');
  if (run > 1) parserRates.push(texts.length / seconds);
}
console.log(
  `parser alone: median ${Math.round(median(parserRates)).toLocaleString('en')} lines/s over ${parserRates.length} runs (target ≥ 200,000)`,
);

// End to end on the local services.
const statuses = await servicesUp(localServices(loadConfigForServices(process.env)), () => undefined);
console.log(formatStatus(statuses).join('\n'));
const rows: { total: number; produce: number; ingest: number; sink: number }[] = [];
for (let run = 0; run < runs; run++) {
  const scope = createTestScope(`bench-ingest-${run}`);
  const topics = topicNames(scope.config);
  try {
    const admin = scope.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, scope.config);
    await admin.disconnect();
    const pool = await scope.postgres();
    const ingest = await startIngest({ kafka: scope.kafka, topics, groupId: scope.groupId('ingest') });
    const sink = await startPostgresSink({
      kafka: scope.kafka,
      topics,
      pool,
      groupId: scope.groupId('sink'),
    });
    // Both groups have joined once their first (empty) poll is done; give them a moment to settle.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const start = Date.now();
    await produceReplay(scope.kafka, topics.movielog, messages);
    const produced = Date.now();
    await waitUntil(async () => ingest.stats().lines >= messages.length, 300_000, 20);
    const ingested = Date.now();
    await waitUntil(async () => sink.stats().events >= valid, 300_000, 20);
    const sunk = Date.now();
    await sink.stop();
    await ingest.stop();
    const row = {
      total: (sunk - start) / 1000,
      produce: (produced - start) / 1000,
      ingest: (ingested - start) / 1000,
      sink: (sunk - start) / 1000,
    };
    rows.push(row);
    console.log(
      `run ${run + 1}: ${Math.round(messages.length / row.total).toLocaleString('en')} lines/s end to end ` +
        `(replay done at ${row.produce.toFixed(2)} s, ingest at ${row.ingest.toFixed(2)} s, Postgres at ${row.sink.toFixed(2)} s)`,
    );
  } finally {
    await scope.cleanup();
  }
}
const rate = median(rows.map((r) => messages.length / r.total));
console.log(
  `end to end: median ${Math.round(rate).toLocaleString('en')} lines/s over ${runs} runs (target ≥ 20,000); ` +
    `Kafka, Redis and Postgres share the machine's 2 cores with the benchmark`,
);
process.exit(0);
