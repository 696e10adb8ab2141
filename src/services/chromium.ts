import { existsSync } from 'node:fs';
import { installDebianPackages } from './debian-packages.ts';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a build machine: no sandbox (tests run as root), no GPU, no
 * background network traffic (the machines reach no network but the package registries).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
];

/**
 * Makes sure a headless Chromium is installed (Debian's `chromium`, installed with apt-get when
 * missing, as `marquee services` installs Redis and Postgres) and returns its path. Used by the
 * browser tests of the `/live` page.
 */
export function ensureChromium(log: (line: string) => void = () => undefined): string {
  if (!existsSync(CHROMIUM_PATH)) installDebianPackages(['chromium'], log);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`chromium installed, but ${CHROMIUM_PATH} is missing`);
  return CHROMIUM_PATH;
}
