#!/usr/bin/env node
// Entry point of the `marquee` CLI: registers tsx so the TypeScript sources run as they are, on Node 20+.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
