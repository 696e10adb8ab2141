/**
 * The least HTTP/1.1 response parsing a load generator needs: find each response's end in a byte
 * stream and report its status. Reads the status line, Content-Length or chunked framing, nothing
 * else (no trailers, no body without framing); bodies are skipped, never copied.
 */

/** Feeds a connection's bytes; calls `onResponse(status)` once per complete response, in order. */
export interface ResponseParser {
  push(chunk: Buffer): void;
}

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  LastChunk,
}

/** A parser for one connection's responses. */
export function parseResponses(onResponse: (status: number) => void): ResponseParser {
  let state = State.Head;
  let pending: Buffer | null = null;
  let remaining = 0;
  let status = 0;
  return {
    push(chunk) {
      const buf: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      let pos = 0;
      while (pos < buf.length || state === State.Body) {
        if (state === State.Head) {
          const end = buf.indexOf('\r\n\r\n', pos, 'latin1');
          if (end < 0) break;
          const head = buf.toString('latin1', pos, end).toLowerCase();
          status = Number(head.slice(9, 12));
          const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
          pos = end + 4;
          if (length !== null) [state, remaining] = [State.Body, Number(length[1])];
          else if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) state = State.ChunkSize;
          else [state, remaining] = [State.Body, 0];
        } else if (state === State.ChunkSize) {
          const end = buf.indexOf('\r\n', pos, 'latin1');
          if (end < 0) break;
          const size = parseInt(buf.toString('latin1', pos, end), 16);
          pos = end + 2;
          [state, remaining] = size === 0 ? [State.LastChunk, 2] : [State.ChunkData, size + 2];
        } else {
          const take = Math.min(remaining, buf.length - pos);
          pos += take;
          remaining -= take;
          if (remaining > 0) break;
          if (state === State.ChunkData) state = State.ChunkSize;
          else {
            state = State.Head;
            onResponse(status);
          }
        }
      }
      if (pos < buf.length) pending = buf.subarray(pos);
    },
  };
}
