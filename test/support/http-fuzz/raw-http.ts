/**
 * Requests as raw bytes on a fresh socket each (`Connection: close`), so nothing a client library
 * would refuse to send is filtered out; the answer is read up to its status line.
 */
import { connect } from 'node:net';
import type { FuzzRequest } from './fuzz-requests.ts';

/** The raw bytes of a request (one per connection). */
export function requestBytes(r: FuzzRequest, host: string): Buffer {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
  if (r.body !== undefined) lines.push(`Content-Length: ${r.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return r.body === undefined ? head : Buffer.concat([head, r.body]);
}

/** What one request got: an HTTP status, or why there was none. */
export type FuzzOutcome = { readonly status: number } | { readonly error: string };

/** Sends one request on a fresh connection and reads the status line (times out after `timeoutMs`). */
export function sendRaw(
  r: FuzzRequest,
  host: string,
  port: number,
  timeoutMs = 10_000,
): Promise<FuzzOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let head = '';
    let settled = false;
    const done = (outcome: FuzzOutcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ error: 'timeout' }));
    socket.on('error', (error) => done({ error: error.message }));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
      if (match !== null) done({ status: Number(match[1]) });
      else if (head.length > 16 && !head.startsWith('HTTP/'))
        done({ error: `not HTTP: ${head.slice(0, 40)}` });
    });
    socket.on('end', () =>
      done({ error: head === '' ? 'closed without an answer' : `no status line: ${head.slice(0, 40)}` }),
    );
    socket.write(requestBytes(r, `${host}:${port}`));
  });
}
