import { readFileSync } from 'node:fs';
import { Command, Help, type Option } from 'commander';
import { backtestCommand } from './backtest-command.js';
import { catalogCommand } from './catalog-command.js';
import { jobsCommand } from './jobs-command.js';
import { evaluateCommand } from './evaluate-command.js';
import { generateCommand } from './generate-command.js';
import type { CliIo } from './cli-context.js';
import { regionsCommand } from './regions-command.js';
import { migrateCommand, startCommand } from './start-command.js';
import { statusCommand } from './status-command.js';
import { pushCommand } from './push-command.js';
import { reportCommand } from './report-command.js';
import { tokenCommand } from './token-command.js';

/**
 * The version in package.json, read as text: one small file, where importing a JSON module or a
 * package reader would weigh on every command's start. From src/cli/ and dist/cli/ alike it is two up.
 */
export function pacerVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The `pacer` command line. Exit codes: 0 ok, 1 user error, 2 system error. */
export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('pacer')
    .description('Track indicators against directive targets and tell, early, which targets will be missed.')
    .version(pacerVersion(), '-V, --version', 'print the version of Pacer')
    .showHelpAfterError()
    .exitOverride((error) => {
      // commander's own usage errors (unknown option, missing argument) are user errors.
      process.exit(error.exitCode === 0 ? 0 : 1);
    });
  program.addCommand(startCommand(io, setExitCode));
  program.addCommand(migrateCommand(io, setExitCode));
  program.addCommand(catalogCommand(io, setExitCode));
  program.addCommand(jobsCommand(io, setExitCode));
  program.addCommand(regionsCommand(io, setExitCode));
  program.addCommand(evaluateCommand(io, setExitCode));
  program.addCommand(generateCommand(io, setExitCode));
  program.addCommand(statusCommand(io, setExitCode));
  program.addCommand(reportCommand(io, setExitCode));
  program.addCommand(backtestCommand(io, setExitCode));
  program.addCommand(pushCommand(io, setExitCode));
  program.addCommand(tokenCommand(io, setExitCode));
  markRequiredOptions(program);
  return program;
}

/** Help that says which options must be given: `--feed <name>  the feed ... (required)`. */
const requiredInHelp = {
  optionDescription(this: Help, option: Option): string {
    const text = Help.prototype.optionDescription.call(this, option);
    return option.mandatory ? `${text} (required)` : text;
  },
};

/** Every command's help marks its required options (`addCommand` passes no help settings down). */
function markRequiredOptions(command: Command): void {
  command.configureHelp(requiredInHelp);
  for (const sub of command.commands) markRequiredOptions(sub);
}
