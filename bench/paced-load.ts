/**
 * An open-loop load generator for bench:api, run as its own process: requests leave at evenly spaced
 * times (rate per second), whether or not earlier ones have answered, and each latency is measured
 * from the time the request was due, so a stalled server cannot hide its queue (no coordinated
 * omission); the generator's own lag is reported too (`lagP99`): if it is high, the machine starved
 * the generator and the run says little about the server. autocannon's rate limit sends each
 * second's quota in a burst, which measures queueing behind the burst instead of latency at a steady
 * rate.
 *
 * It speaks HTTP/1.1 over raw `net` sockets, not node:http: keep-alive connections, one request in
 * flight per connection (no pipelining), request bytes prebuilt per user id, and a response parser
 * that reads only the status code and Content-Length (or chunk sizes). node:http's client cost about
 * as much CPU per request as the API itself, on the same 2 cores. A request due while every open
 * connection is busy opens another (up to MAX_SOCKETS) or waits for one, its latency still counted
 * from its due time. Prints one JSON line.
 * Usage: tsx bench/paced-load.ts <port> <rate> <seconds> <users>
 */
import net from 'node:net';
import { parseResponses, type ResponseParser } from './http-response-parser.ts';

const [port, rate, seconds, users] = process.argv.slice(2).map(Number) as [number, number, number, number];
const MAX_SOCKETS = 512;
const TIMEOUT_MS = 2000;
const total = Math.round(rate * seconds);
const latencies = new Float64Array(total).fill(Infinity);
/** How late each request left (the generator's own lag, not the server's). */
const lags = new Float64Array(total);
const start = performance.now() + 50;
// Ids over 1.1× the known users: mostly personal lists, some cold starts (as autocannon's run).
const maxId = Math.floor(users * 1.1);
const requests = Array.from({ length: maxId }, (_, k) =>
  Buffer.from(`GET /recommend/${k + 1} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'latin1'),
);

interface Connection {
  readonly socket: net.Socket;
  readonly parser: ResponseParser;
  /** The request in flight (-1: idle). */
  current: number;
  /** Responses completed on this connection, and whether any byte of the current one arrived. */
  answered: number;
  receiving: boolean;
  timedOut: boolean;
}

const idle: Connection[] = [];
const waiting: number[] = [];
let waitingHead = 0;
let open = 0;
let sent = 0;
let finished = 0;
let failed = 0;
const failures = { status: 0, timeout: 0, closed: 0 };
const retried = new Uint8Array(total);

function done(k: number, status: number): void {
  if (status === 200) latencies[k] = performance.now() - (start + (k * 1000) / rate);
  else failed++;
  if (status > 0 && status !== 200) failures.status++;
  if (++finished === total) report();
}

function send(conn: Connection, k: number): void {
  conn.current = k;
  conn.receiving = false;
  conn.socket.write(requests[Math.floor(Math.random() * maxId)] as Buffer);
}

function release(conn: Connection): void {
  conn.current = -1;
  if (waitingHead < waiting.length) send(conn, waiting[waitingHead++] as number);
  else idle.push(conn);
}

function connect(first: number): void {
  open++;
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const conn: Connection = {
    socket,
    current: -1,
    answered: 0,
    receiving: false,
    timedOut: false,
    parser: parseResponses((status) => {
      const k = conn.current;
      if (k < 0) return;
      conn.answered++;
      done(k, status);
      release(conn);
    }),
  };
  socket.on('data', (chunk: Buffer) => {
    conn.receiving = true;
    conn.parser.push(chunk);
  });
  socket.setTimeout(TIMEOUT_MS, () => {
    // An idle connection leaves the pool now: 'close' comes a tick later, and a request sent on it
    // in between would fail through no fault of the server.
    const at = idle.indexOf(conn);
    if (at >= 0) idle.splice(at, 1);
    else conn.timedOut = true;
    socket.destroy();
  });
  socket.on('close', () => {
    open--;
    const at = idle.indexOf(conn);
    if (at >= 0) idle.splice(at, 1);
    const k = conn.current;
    conn.current = -1;
    if (k < 0) return;
    if (!conn.timedOut && conn.answered > 0 && !conn.receiving && retried[k] === 0) {
      retried[k] = 1;
      connect(k);
      return;
    }
    if (conn.timedOut) failures.timeout++;
    else failures.closed++;
    done(k, 0);
  });
  socket.on('error', () => undefined);
  send(conn, first);
}

function fire(k: number): void {
  lags[k] = performance.now() - (start + (k * 1000) / rate);
  const conn = idle.pop();
  if (conn !== undefined) send(conn, k);
  else if (open < MAX_SOCKETS) connect(k);
  else waiting.push(k);
}

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
    `${JSON.stringify({ rate, seconds, total, ok, failed, failures, retried: retried.reduce((a, b) => a + b, 0), connections: open, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(at(1 - 1e-9)), lagP99: round(lag(0.99)) })}\n`,
  );
  process.exit(0);
}

const timer = setInterval(() => {
  const now = performance.now();
  while (sent < total && start + (sent * 1000) / rate <= now) fire(sent++);
  if (sent === total) clearInterval(timer);
}, 1);
setTimeout(report, seconds * 1000 + 5000).unref();
