import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { metrics } from './names.ts';

/** A prom-client registry for one role: process metrics plus marquee_build_info{role,version}. */
export function createMetricsRegistry(role: string, version: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: 'marquee_' });
  const info = new Gauge({
    name: metrics.buildInfo,
    help: 'Marquee version of this process',
    labelNames: ['version'],
    registers: [registry],
  });
  info.set({ version }, 1);
  return registry;
}
