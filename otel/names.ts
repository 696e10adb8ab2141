/**
 * Every name Marquee exports to Prometheus, Jaeger or logs lives here, so dashboards, alert rules and
 * code agree and a rename is one edit.
 */

/** The OpenTelemetry service name of every role. */
export const serviceName = 'marquee';

/** Span names. */
export const spans = {
  cliCommand: 'marquee.cli.command',
  servicesUp: 'marquee.services.up',
} as const;

/** Span attribute keys. */
export const attributes = {
  command: 'marquee.command',
  role: 'marquee.role',
} as const;

/** Prometheus metric names (prom-client); `marquee_` prefix, base units in the name. */
export const metrics = {
  buildInfo: 'marquee_build_info',
} as const;
