import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure code, no services) and `integration` (`*.int.test.ts`, real Kafka, Redis and
 * Postgres brought up once per run by the global setup). Benchmarks are not tests and live under bench/.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{src,actors,streams,config,otel,test}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{src,actors,streams,config,otel,test}/**/*.int.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
