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
import { logCommand } from './commands/logCommand';
import { setCategoryCommand } from './commands/setCategoryCommand';
import { reviewCommand } from './commands/reviewCommand';
import { configCommand } from './commands/configCommand';
import { trashCommand } from './commands/trashCommand';
import { captionCommand, captionsCommand } from './commands/captionsCommand';
import { loadCliSettings } from '../core/config/settingsSources';
import { errorKind, InputError, type StudioErrorKind } from '../core/errors';
import { redactSecrets } from '../core/util/redact';
import { withCliActionNames } from '../core/util/actionNames';
import { CliCommand, CliIO, cliStudio, EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, terminalSafe } from './cliSupport';

const COMMANDS: CliCommand[] = [
  actorsCommand,
  promptsCommand,
  generateCommand,
  evaluateCommand,
  planCommand,
  executeCommand,
  undoCommand,
  trashCommand,
  retryUploadsCommand,
  reconcileCommand,
  migrateCommand,
  exportDatasetCommand,
  statsCommand,
  rateCommand,
  logCommand,
  setCategoryCommand,
  captionsCommand,
  captionCommand,
  reviewCommand,
  exportPromptsCommand,
  configCommand,
];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'actor-studio: build and balance per-actor training-image sets for identity LoRAs',
    '',
    'usage: actor-studio <command> [--data DIR] [--settings FILE] [--json] [--debug] [options]',
    '',
    'commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'settings: flags > environment (ACTOR_STUDIO_*) > the .vscode/settings.json of the workspace holding',
    '          the data folder (or --settings FILE) > defaults; `actor-studio config` shows them',
    'exit codes: 0 done, 1 some work failed, 2 usage or input error, 130 cancelled',
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code instead of exiting, so tests can call it. */
export function runCli(argv: string[], rawIo: CliIO): Promise<number> {
  return withCliActionNames(() => runCommand(argv, rawIo));
}

async function runCommand(argv: string[], rawIo: CliIO): Promise<number> {
  // Every line goes through here: control characters from data files never reach the terminal raw.
  const io: CliIO = { ...rawIo, stdout: (text) => rawIo.stdout(terminalSafe(text)), stderr: (text) => rawIo.stderr(terminalSafe(text)) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  let debug = rest.includes('--debug');
  try {
    if (!command) {
      throw new InputError(`unknown command "${name}"\n\n${helpText()}`);
    }
    const values = parseCommandArgs(command, rest);
    debug = Boolean(values.debug);
    if (values.help) {
      io.stdout(`usage: ${command.usage}`);
      return EXIT_OK;
    }
    const settings = await loadCliSettings({ cwd: io.cwd, env: io.env ?? {}, flags: values });
    const code = await command.run(values, io, cliStudio(settings, io.env ?? {}));
    const s3 = settings.settings.s3;
    if (command.options['s3-bucket'] && s3.bucket.trim() && !s3.endpoint.trim() && settings.values['s3.region']?.source === 'default') {
      io.stderr(`actor-studio: note: no S3 region set (--s3-region, AWS_REGION or AWS_DEFAULT_REGION); asked in ${s3.region}, or where S3 named the bucket`);
    }
    return code;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

const EXIT_CODES: Record<StudioErrorKind, number> = { input: EXIT_USAGE, external: EXIT_FAILED, cancelled: EXIT_CANCELLED, internal: EXIT_FAILED };

/** The one place an error becomes an exit code: a line for what the user can act on, the stack for bugs (or with --debug). */
function reportError(error: unknown, io: CliIO, debug: boolean): number {
  const kind = errorKind(error);
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  if (debug || kind === 'internal') {
    io.stderr(`actor-studio: ${kind === 'internal' ? 'internal error: ' : ''}${redactSecrets((error as Error)?.stack ?? message)}`);
  } else {
    io.stderr(`actor-studio: ${kind === 'cancelled' ? 'cancelled' : message}`);
  }
  return EXIT_CODES[kind];
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
  // A reader that went away (`actor-studio prompts | head`) ends the output, not the work: the
  // command finishes what it started (its files stay whole) and the rest of its output is dropped.
  const closed = new Set<NodeJS.WriteStream>();
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed.add(stream);
    });
  }
  const writer = (stream: NodeJS.WriteStream) => (text: string) => {
    if (!closed.has(stream)) stream.write(`${text}\n`);
  };
  const io: CliIO = {
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
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
