/**
 * An open-loop load generator for bench:api, run as its own process: requests leave at evenly spaced
 * times (rate per second), whether or not earlier ones have answered, and each latency is measured
 * from the time the request was due, so a stalled server cannot hide its queue (no coordinated
 * omission); the generator's own lag is reported too (`lagP99`): if it is high, the machine starved
 * the generator and the run says little about the server. autocannon's rate limit sends each second's quota in a burst, which measures queueing
 * behind the burst instead of latency at a steady rate. Prints one JSON line.
 * Usage: tsx bench/paced-load.ts <port> <rate> <seconds> <users>
 */
import http from 'node:http';

const [port, rate, seconds, users] = process.argv.slice(2).map(Number) as [number, number, number, number];
const total = Math.round(rate * seconds);
const latencies = new Float64Array(total).fill(Infinity);
/** How late each request left (the generator's own lag, not the server's). */
const lags = new Float64Array(total);
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const start = performance.now() + 50;
let sent = 0;
let finished = 0;
let failed = 0;

function report(): void {
  const quantile = (xs: Float64Array) => {
    const sorted = Float64Array.from(xs).sort();
    return (q: number) => sorted[Math.min(total - 1, Math.floor(q * total))] as number;
  };
  const at = quantile(latencies);
  const lag = quantile(lags);
  const ok = latencies.filter((x) => Number.isFinite(x)).length;
  const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
  process.stdout.write(
    `${JSON.stringify({ rate, seconds, total, ok, failed, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(at(1 - 1e-9)), lagP99: round(lag(0.99)) })}\n`,
  );
  agent.destroy();
  process.exit(0);
}

function fire(k: number): void {
  const due = start + (k * 1000) / rate;
  lags[k] = performance.now() - due;
  const path = `/recommend/${1 + Math.floor(Math.random() * users * 1.1)}`;
  const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 2000 }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode === 200) latencies[k] = performance.now() - due;
      else failed++;
      if (++finished === total) report();
    });
  });
  req.on('error', () => {
    failed++;
    if (++finished === total) report();
  });
}

const timer = setInterval(() => {
  const now = performance.now();
  while (sent < total && start + (sent * 1000) / rate <= now) fire(sent++);
  if (sent === total) clearInterval(timer);
}, 1);
setTimeout(report, seconds * 1000 + 5000).unref();
