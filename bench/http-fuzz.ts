/**
 * `npm run fuzz`: the HTTP fuzz run — requests generated from the API's own /openapi.json (valid
 * instances of its schemas by json-schema-faker, mutated by fast-check: hostile strings, wrong
 * types, missing and extra fields, non-JSON bodies, other methods, unknown paths, forged, expired
 * and foreign tokens), sent as raw bytes to `marquee api` running as a process in an isolated scope
 * with a small published model. Prints the statuses per operation; fails on any 5xx, any request
 * without an answer, or an API process that died. Options: --requests N (default 10,000), --seed S
 * (default: the time), --concurrency C (default 8).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createTestScope } from '../test/isolation.ts';
import { generateRequests } from '../test/support/http-fuzz/fuzz-requests.ts';
import { describeFailures, formatSummary, runFuzz } from '../test/support/http-fuzz/fuzz-run.ts';
import { startFuzzTarget } from '../test/support/http-fuzz/fuzz-target.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
  },
});
const count = Number(values.requests);
const seed = Number(values.seed ?? Date.now() % 2 ** 31);
const concurrency = Number(values.concurrency);
if (![count, seed, concurrency].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('fuzz: --requests, --seed and --concurrency take positive whole numbers');
  process.exit(2);
}

const scope = createTestScope('http-fuzz');
const target = await startFuzzTarget(scope);
let failed = true;
try {
  const started = Date.now();
  const requests = generateRequests(target.doc, target.auth, count, seed);
  const generatedMs = Date.now() - started;
  console.log(
    `fuzz: ${count.toLocaleString('en-US')} requests from /openapi.json (${Object.keys(target.doc.paths).length} paths), ` +
      `seed ${seed}, generated in ${(generatedMs / 1000).toFixed(1)} s; sending ${concurrency} at a time to marquee api (pid ${target.api.child.pid})`,
  );
  const summary = await runFuzz(requests, { host: '127.0.0.1', port: target.port }, concurrency, (done) =>
    process.stdout.write(`  ${done.toLocaleString('en-US')} sent\r`),
  );
  process.stdout.write('\n');
  const seconds = (Date.now() - started - generatedMs) / 1000;
  const healthz = await fetch(`http://127.0.0.1:${target.port}/healthz`).then(
    (r) => r.status,
    () => 0,
  );
  const alive = target.api.child.exitCode === null && target.api.child.signalCode === null;
  const unhandled = (target.api.output().match(/unhandled/g) ?? []).length;
  console.log(formatSummary(summary));
  console.log(
    `\n${summary.requests.toLocaleString('en-US')} requests in ${seconds.toFixed(1)} s: ` +
      `${summary.serverErrors} with status 5xx, ${summary.noAnswer} without an answer; ` +
      `API process ${alive ? 'alive' : 'DEAD'} (healthz ${healthz}), ${unhandled} unhandled errors logged; ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  if (summary.examples.length > 0) console.log(describeFailures(summary));
  failed = summary.serverErrors > 0 || summary.noAnswer > 0 || !alive || healthz !== 200 || unhandled > 0;
  console.log(failed ? 'fuzz: FAILED' : 'fuzz: 0 status 5xx, 0 crashes');
} finally {
  await target.api.stop();
  await scope.cleanup();
}
process.exit(failed ? 1 : 0);
