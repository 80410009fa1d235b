#!/usr/bin/env node
/**
 * The `crm-auth` executable (dist/cli/main.js). The only place in crm-auth that touches the process:
 * argv, stdout, stderr, the environment and the exit code.
 */
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => {
    // exitCode, not exit(): lets stdout drain when it is a pipe.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`crm-auth: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
