import { createServer } from 'node:net';

/** The API could not listen on its address: the message says which and what to change. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** What a failed listen on `host:port` means for the person who started the API (one line). */
export function listenErrorMessage(error: unknown, host: string, port: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return `port ${port} on ${host} is in use (another marquee api?): stop it, or set API_PORT`;
  if (code === 'EACCES') return `port ${port} on ${host} needs privileges: set API_PORT to 1024 or above`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine: set API_HOST`;
  return `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Throws a ListenError unless `host:port` can be listened on right now: a check before starting
 * processes that would each fail on it (the port can still be taken between this and their listen).
 */
export async function assertCanListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(new ListenError(listenErrorMessage(error, host, port))));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
