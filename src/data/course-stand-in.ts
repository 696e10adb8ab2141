/**
 * A local stand-in of the course's user and movie services on loopback, for the course check and
 * tests: `GET /user/<id>` and `GET /movie/<id>` answer a dataset's records (course-stand-in-records.ts)
 * as the course does, 404 with a message for an unknown id. Hand its `url` to Marquee as METADATA_URL.
 *
 * Use: `const standIn = await startCourseStandIn(dataset); ...; await standIn.close();`
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dataset } from './dataset.ts';
import { standInRecords, type StandInRecordOptions, type StandInRecords } from './course-stand-in-records.ts';

/** Where the stand-in listens, and how it fills what the dataset lacks. */
export interface CourseStandInOptions extends StandInRecordOptions {
  /** Default 127.0.0.1: the stand-in is for this machine only. */
  readonly host?: string;
  /** Default 0: any free port (read it from `url`). */
  readonly port?: number;
}

/** Lookups answered so far, by kind and outcome. */
export interface StandInStats {
  users: number;
  movies: number;
  notFound: number;
}

/** A running stand-in. */
export interface CourseStandIn extends StandInRecords {
  /** e.g. `http://127.0.0.1:41234`: the base URL the course client takes. */
  readonly url: string;
  stats(): StandInStats;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Starts the stand-in for `dataset`; resolves once it listens. */
export async function startCourseStandIn(
  dataset: Dataset,
  options: CourseStandInOptions = {},
): Promise<CourseStandIn> {
  const records = standInRecords(dataset, options);
  const stats: StandInStats = { users: 0, movies: 0, notFound: 0 };
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET') return reply(res, 405, { message: 'only GET' });
    const match = /^\/(user|movie)\/([^/?#]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    let id: string | undefined;
    try {
      id = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
    } catch {
      id = undefined; // a malformed escape is an unknown id
    }
    const record =
      id === undefined ? undefined : match?.[1] === 'user' ? records.users.get(id) : records.movies.get(id);
    if (record === undefined) {
      stats.notFound += 1;
      return reply(res, 404, { message: `${match?.[1] ?? 'path'} not found` });
    }
    stats[match?.[1] === 'user' ? 'users' : 'movies'] += 1;
    return reply(res, 200, record);
  };
  const server = createServer(handle);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    ...records,
    url: `http://${host}:${address.port}`,
    stats: () => ({ ...stats }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
