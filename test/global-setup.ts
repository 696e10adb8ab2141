import { loadConfigForServices } from '../config/load-config.ts';
import { ensureChromium } from '../src/services/chromium.ts';
import { formatStatus, localServices, optionalServices, servicesUp } from '../src/services/services.ts';

/**
 * Brings Kafka, Redis and Postgres, Jaeger, Prometheus and a local 3-master Redis Cluster up once per test run (reusing any already
 * reachable; the first run on a machine builds Jaeger from its Go module, minutes), and makes
 * sure Debian's chromium is installed, before the integration tests start. Services stay up
 * afterwards: the next run reuses them and starts faster; `marquee services down` stops them.
 */
export default async function setup(): Promise<void> {
  const config = loadConfigForServices(process.env);
  const started = Date.now();
  const statuses = await servicesUp(localServices(config, optionalServices), (line) =>
    console.log(`[services] ${line}`),
  );
  for (const line of formatStatus(statuses)) console.log(`[services] ${line}`);
  console.log(`[services] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The /live page's browser test needs a headless Chromium: installed here, once, when missing
  // (apt-get can take minutes on a fresh machine, longer than a test hook may).
  ensureChromium((line) => console.log(`[chromium] ${line}`));
}
