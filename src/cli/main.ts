import { actorsCommand } from './commands/actorsCommand';
import { promptsCommand } from './commands/promptsCommand';
import { generateCommand } from './commands/generateCommand';
import { evaluateCommand, planCommand } from './commands/planCommands';
import { retryUploadsCommand } from './commands/retryUploadsCommand';
import { executeCommand, undoCommand } from './commands/executeCommands';
import { migrateCommand } from './commands/migrateCommand';
import { reconcileCommand } from './commands/reconcileCommand';
import { exportDatasetCommand, exportPromptsCommand } from './commands/exportCommands';
import { statsCommand } from './commands/statsCommand';
import { rateCommand } from './commands/rateCommand';
import { CliCommand, CliIO, EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, UsageError } from './cliSupport';

const COMMANDS: CliCommand[] = [actorsCommand, promptsCommand, generateCommand, evaluateCommand, planCommand, executeCommand, undoCommand, retryUploadsCommand, reconcileCommand, migrateCommand, exportDatasetCommand, statsCommand, rateCommand, exportPromptsCommand];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'actor-studio: build and balance per-actor training-image sets for identity LoRAs',
    '',
    'usage: actor-studio <command> [--data DIR] [--json] [options]',
    '',
    'commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'exit codes: 0 done, 1 some work failed, 2 usage or input error',
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  try {
    if (!command) {
      throw new UsageError(`unknown command "${name}"\n\n${helpText()}`);
    }
    const values = parseCommandArgs(command, rest);
    if (values.help) {
      io.stdout(`usage: ${command.usage}`);
      return EXIT_OK;
    }
    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`actor-studio: ${error.message}`);
      return EXIT_USAGE;
    }
    io.stderr(`actor-studio: ${(error as Error).stack ?? String(error)}`);
    return EXIT_FAILED;
  }
}

if (require.main === module) {
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) {
      process.exit(130); // a second Ctrl+C does not wait
    }
    process.stderr.write('\ncancelling (Ctrl+C again to quit at once)\n');
    interrupt.abort();
  });
  const io: CliIO = {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    signal: interrupt.signal,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    () => (process.exitCode = EXIT_FAILED),
  );
}
