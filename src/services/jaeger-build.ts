import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasExecutable } from './debian-packages.ts';
import type { ServicePaths } from './service-paths.ts';

/** The Jaeger release Marquee builds (the v2 binary: an OpenTelemetry collector with Jaeger's storage and UI). */
export const JAEGER_VERSION = '1.76.0';
const JAEGER_PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger';

/** Where the built binary is cached: one per version, so only the first run pays the build. */
export function jaegerBinary(paths: ServicePaths): string {
  return join(paths.home, 'jaeger', `v${JAEGER_VERSION}`, 'jaeger');
}

/**
 * Builds Jaeger from its Go module with the machine's Go toolchain, once, in a throw-away module
 * that requires it as a tool (`go get -tool`; `go install PKG@VERSION` refuses Jaeger, whose go.mod
 * has replace directives), then `go build -trimpath -ldflags=-s -w` of the one all-in-one binary,
 * renamed into place at the end so an interrupted build never leaves half a binary. Later calls
 * return the cached path; Go's module and build caches make a rebuild (a new version) cheaper.
 * Jaeger publishes no Debian package; its Go module is checked against the public checksum
 * database by `go` itself.
 */
export async function ensureJaeger(paths: ServicePaths, log: (line: string) => void): Promise<string> {
  const binary = jaegerBinary(paths);
  if (existsSync(binary)) return binary;
  if (!hasExecutable('go'))
    throw new Error(
      `jaeger: not built yet, and building it needs the Go toolchain (1.24 or newer, https://go.dev/dl); or put a jaeger ${JAEGER_VERSION} binary at ${binary}`,
    );
  const dir = join(paths.home, 'jaeger', `v${JAEGER_VERSION}`);
  const staging = join(paths.home, 'jaeger', `build-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  const logPath = join(paths.logs, 'jaeger-build.log');
  mkdirSync(paths.logs, { recursive: true });
  log(`jaeger: building v${JAEGER_VERSION} from its Go module (first run only; minutes), log ${logPath}`);
  const started = Date.now();
  const out = openSync(logPath, 'a');
  // GOFLAGS from the environment may carry -mod=vendor or the like; CGO off makes a static binary
  // and needs no C compiler.
  const env = { ...process.env, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };
  const go = (args: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('go', args, { cwd: staging, stdio: ['ignore', out, out], env });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`jaeger: go ${args[0]} failed (exit ${code}); see ${logPath}`)),
      );
    });
  try {
    await go(['mod', 'init', 'marquee-jaeger']);
    await go(['get', '-tool', `${JAEGER_PACKAGE}@v${JAEGER_VERSION}`]);
    await go(['build', '-trimpath', '-ldflags=-s -w', '-o', 'jaeger', JAEGER_PACKAGE]);
    mkdirSync(dir, { recursive: true });
    chmodSync(join(staging, 'jaeger'), 0o755);
    renameSync(join(staging, 'jaeger'), binary);
  } finally {
    closeSync(out);
    rmSync(staging, { recursive: true, force: true });
  }
  const mb = (statSync(binary).size / 1e6).toFixed(0);
  log(`jaeger: built in ${((Date.now() - started) / 1000).toFixed(0)} s (${mb} MB, cached at ${binary})`);
  return binary;
}
