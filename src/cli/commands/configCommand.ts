import { SETTING_FLAGS } from '../../core/config/settingsSources';
import { SETTINGS_SECTION } from '../../core/config/studioSettings';
import { redactSecrets } from '../../core/util/redact';
import { CliCommand, COMMON_USAGE, EXIT_OK, table } from '../cliSupport';
import { setupToJson } from './executeCommands';

/** `actor-studio config`: the effective settings, each with where it came from, and the services they give. */
export const configCommand: CliCommand = {
  name: 'config',
  summary: 'show the effective settings (flags > environment > settings file > defaults) and where each came from',
  usage: `actor-studio config [any flag that sets a setting: ${Object.keys(SETTING_FLAGS)
    .map((flag) => `--${flag}`)
    .join(' ')}] ${COMMON_USAGE}`,
  // Every flag that sets a setting, so its effect can be seen before a run.
  options: Object.fromEntries(
    Object.entries(SETTING_FLAGS).map(([flag, { value }]) => [flag, { type: value === undefined ? 'string' : 'boolean' }]),
  ) as CliCommand['options'],
  async run(values, io, studio) {
    const { settings } = studio;
    // A base URL may carry a password (http://user:pw@host): shown as where it came from, never the password.
    const shown = (value: unknown): unknown => (typeof value === 'string' ? redactSecrets(value) : value);
    const setup = (await studio.context().catch(() => undefined))?.services.setup();
    if (values.json) {
      const entries = Object.entries(settings.values).map(([key, { value, source }]) => [`${SETTINGS_SECTION}.${key}`, { value: shown(value), source }]);
      io.stdout(
        JSON.stringify(
          {
            data_root: settings.dataRoot,
            settings_file: settings.settingsFile ?? null,
            settings: Object.fromEntries(entries),
            setup: setup ? setupToJson(setup) : null,
            problems: settings.problems,
          },
          null,
          2,
        ),
      );
    } else {
      io.stdout(`data folder: ${settings.dataRoot} (${settings.dataRootSource})`);
      io.stdout(`settings file: ${settings.settingsFile ?? 'none found (defaults apply)'}`);
      io.stdout('');
      io.stdout(
        table([
          ['setting', 'value', 'source'],
          ...Object.entries(settings.values).map(([key, { value, source }]) => [`${SETTINGS_SECTION}.${key}`, JSON.stringify(shown(value)), source]),
        ]),
      );
      if (setup) {
        const store = setup.objectStore.kind === 's3' ? `S3 bucket ${setup.objectStore.bucket} (${setup.objectStore.region})` : 'none';
        io.stdout('');
        io.stdout(
          `generator: ${setup.generator.provider} ${setup.generator.model}; concurrency ${setup.concurrency}; evaluator: ${setup.evaluator.provider}; object store: ${store}`,
        );
      }
    }
    settings.problems.forEach((problem) => io.stderr(`actor-studio: warning: ${redactSecrets(problem)}`));
    return EXIT_OK;
  },
};
