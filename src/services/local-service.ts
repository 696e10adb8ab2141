/** How a service stands after `up` or on `status`. */
export type ServiceState =
  /** Started by Marquee (now, or in an earlier `up`) and ready. */
  | 'running'
  /** Reachable at the configured address but not started by Marquee (Docker, CI, a system service). */
  | 'reused'
  /** Not reachable. */
  | 'stopped';

/** One line of `marquee services status`. */
export interface ServiceStatus {
  readonly name: string;
  readonly state: ServiceState;
  readonly address: string;
  readonly pid?: number;
  readonly detail: string;
}

/** Progress lines while services come up (installing, formatting, waiting). */
export type ServiceLog = (line: string) => void;

/** One infrastructure service `marquee services` manages. */
export interface LocalService {
  readonly name: string;
  /** Idempotent: reuses a reachable service, else installs what is missing, starts it and waits until ready. */
  up(log: ServiceLog): Promise<ServiceStatus>;
  /** Stops the service only if Marquee started it; returns its status afterwards. */
  down(): Promise<ServiceStatus>;
  status(): Promise<ServiceStatus>;
  /** Brought up only once the others are (it installs the same Debian package as one of them). */
  readonly afterOthers?: boolean;
}

/** Host and port of the first address in a URL or host:port string. */
export function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? defaultPort : Number(url.port),
  };
}
