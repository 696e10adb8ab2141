import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** True when an executable is on the PATH. */
export function hasExecutable(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs Debian packages with apt-get when they are missing. Needs root; otherwise throws with the
 * command the user should run. Package scripts are kept from starting system-wide services (which
 * would then hold the ports Marquee wants) by a policy-rc.d that denies every start during the install.
 */
export function installDebianPackages(packages: readonly string[], log: (line: string) => void): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing ${packages.join(', ')}: run \`sudo apt-get install -y ${packages.join(' ')}\` and try again`,
    );
  }
  if (!hasExecutable('apt-get')) {
    throw new Error(
      `missing ${packages.join(', ')} and no apt-get here: install them with your package manager`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  const policy = '/usr/sbin/policy-rc.d';
  const addedPolicy = !existsSync(policy);
  if (addedPolicy)
    spawnSync('sh', ['-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod +x ${policy}`]);
  try {
    log(`installing ${packages.join(', ')} with apt-get`);
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
        env,
        encoding: 'utf8',
      });
    let result = install();
    if (result.status !== 0) {
      spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
      result = install();
    }
    if (result.status !== 0) {
      throw new Error(`apt-get install ${packages.join(' ')} failed:\n${result.stderr.slice(-2000)}`);
    }
  } finally {
    if (addedPolicy) spawnSync('rm', ['-f', policy]);
  }
}
