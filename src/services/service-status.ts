import { runningDaemon } from './daemon.ts';
import type { ServiceStatus } from './local-service.ts';
import { isReachable } from './tcp-probe.ts';

/**
 * The one rule every service's status follows: its own process alive (pid file) → running; something
 * else answering at the address → reused; nothing → stopped.
 */
export async function serviceStatus(
  name: string,
  pidFile: string,
  host: string,
  port: number,
  ownDetail: string,
): Promise<ServiceStatus> {
  const address = `${host}:${port}`;
  const own = runningDaemon(pidFile);
  if (own !== undefined) return { name, state: 'running', address, pid: own.pid, detail: ownDetail };
  if (await isReachable(host, port))
    return { name, state: 'reused', address, detail: 'not started by marquee' };
  return { name, state: 'stopped', address, detail: '' };
}
