import { InputError } from '../../core/errors';
import { computeAnalytics, loadAnalyticsInput } from '../../core/analytics/analytics';
import { GenerationLogFileError } from '../../core/tracking/generationLog';
import { CliCommand, EXIT_FAILED, EXIT_OK, relativeProblem, selectActors } from '../cliSupport';
import { formatProblem } from '../../core/workspace/formatProblem';
import { printStats } from './statsReport';

const STATS_USAGE = 'actor-studio stats [--actor-id ID | --all] [--data DIR] [--settings FILE] [--json]';

/** `actor-studio stats`: the Analytics panel's numbers (usage, quality, failures, balance, spend, patterns). */
export const statsCommand: CliCommand = {
  name: 'stats',
  summary: 'prompt usage, ratings, failures, balance against the target, estimated spend, save methods, parameters',
  usage: STATS_USAGE,
  options: { 'actor-id': { type: 'string' }, all: { type: 'boolean', default: false } },
  async run(values, io, studio) {
    // Without --actor-id the numbers are for all actors; --all only says so explicitly.
    const { dataRoot, index } = await selectActors({ ...values, all: values.all || !values['actor-id'] }, studio, STATS_USAGE);
    const actorId = values['actor-id'] as string | undefined;
    // The targets as the editor and `plan` see them (core/config).
    const target = studio.settings.settings.target;
    const input = await loadAnalyticsInput(dataRoot, { index }).catch((error: Error) => {
      throw error instanceof GenerationLogFileError ? new InputError(`${error.message} (fix it or move it away)`) : error;
    });
    const analytics = computeAnalytics(input, target, actorId);
    const problems = input.problems;
    if (values.json) {
      io.stdout(JSON.stringify({ data_root: dataRoot, ...analytics, problems: problems.map((problem) => relativeProblem(dataRoot, problem)) }, null, 2));
    } else {
      printStats(io, analytics);
    }
    for (const problem of problems) {
      io.stderr(formatProblem(io.cwd, problem));
    }
    return problems.some((problem) => problem.severity === 'error') ? EXIT_FAILED : EXIT_OK;
  },
};
