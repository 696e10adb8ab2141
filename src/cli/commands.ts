import type { Command } from './command.ts';
import { demoCommand } from './demo.ts';
import { migrateCommand } from './migrate.ts';
import { servicesCommand } from './services.ts';
import { trainCommand } from './train.ts';

/** Every command the CLI offers. Only commands that work are listed here. */
export const commands: readonly Command[] = [demoCommand, servicesCommand, migrateCommand, trainCommand];
