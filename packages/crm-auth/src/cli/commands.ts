/**
 * Every `crm-auth` command. To add one, write `src/cli/<name>-command.ts` exporting a CliCommand
 * and add it to this list (one import, one entry).
 */
import type { CliCommand } from './cli-command';
import { decodeCommand } from './decode-command';
import { whoamiCommand } from './whoami-command';

/** The commands, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [decodeCommand, whoamiCommand];
