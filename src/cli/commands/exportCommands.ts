import { InputError } from '../../core/errors';
import * as path from 'node:path';
import { DATASET_FORMATS, DatasetFormat, ExportInputError } from '../../core/export/dataset';
import { exportTrainingSet, previewTrainingSet } from '../../core/app/integrity';
import { DEFAULT_MIN_QUALITY_RATING, exportPromptData } from '../../core/export/promptExport';
import { GenerationLogFileError } from '../../core/tracking/generationLog';
import { CliCommand, EXIT_FAILED, EXIT_OK, requireDataFolder, selectActors } from '../cliSupport';
import { printPreview } from './exportPreviewText';

/** A whole-number option, or undefined when it was not given. */
function integerOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new InputError(`--${name} must be a whole number, not "${String(raw)}"`);
  }
  return value;
}

/** `actor-studio export-dataset`: the images that pass the checks, as a kohya or ai-toolkit training set. */
export const exportDatasetCommand: CliCommand = {
  name: 'export-dataset',
  summary:
    'export images that pass the checks as a kohya or ai-toolkit training set (captions, metadata.jsonl); --preview writes nothing and shows each caption as the trainer reads it, its aspect-ratio bucket and crop at --resolution, and warnings',
  usage:
    'actor-studio export-dataset --format kohya|ai-toolkit (--out DIR | --preview) (--actor-id ID | --all) [--trigger WORD] [--class WORD] [--repeats N] [--min-rating N (default: the actorStudio.export.minRating setting; 0 = none)] [--resolution N (default 1024)] [--force] [--data DIR] [--json]',
  options: {
    format: { type: 'string' },
    out: { type: 'string' },
    trigger: { type: 'string' },
    class: { type: 'string' },
    repeats: { type: 'string' },
    'min-rating': { type: 'string' },
    'actor-id': { type: 'string' },
    all: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    preview: { type: 'boolean', default: false },
    resolution: { type: 'string' },
  },
  async run(values, io, studio) {
    const format = values.format as string | undefined;
    if (!format || !(DATASET_FORMATS as readonly string[]).includes(format)) {
      throw new InputError(`--format must be kohya or ai-toolkit${format ? `, not "${format}"` : ''}\nusage: ${this.usage}`);
    }
    if (!values.out && !values.preview) {
      throw new InputError(`--out DIR is required (or --preview)\nusage: ${this.usage}`);
    }
    const repeats = integerOption(values, 'repeats');
    // --min-rating, else the actorStudio.export.minRating setting (as the editor's Export Dataset); 0 is no minimum.
    const minRating = integerOption(values, 'min-rating');
    const resolution = integerOption(values, 'resolution');
    const { ids } = await selectActors(values, studio, this.usage);
    const context = await studio.context();
    const choices = {
      actorIds: ids,
      format: format as DatasetFormat,
      trigger: values.trigger as string | undefined,
      className: values.class as string | undefined,
      repeats,
      minRating,
      resolution,
      signal: io.signal,
    };
    let report;
    try {
      if (values.preview) {
        const preview = await previewTrainingSet(context, choices);
        if (values.json) {
          io.stdout(JSON.stringify(preview, null, 2));
        } else {
          printPreview(preview, io);
        }
        return preview.failed.length > 0 ? EXIT_FAILED : EXIT_OK;
      }
      report = await exportTrainingSet(context, { ...choices, outDir: path.resolve(io.cwd, String(values.out)), force: Boolean(values.force) });
    } catch (error) {
      if (error instanceof ExportInputError) {
        throw new InputError(error.message);
      }
      throw error;
    }
    // The valid actors are exported all the same; the invalid ones are named and the run fails.
    const code = report.failed.length > 0 ? EXIT_FAILED : EXIT_OK;
    if (values.json) {
      io.stdout(JSON.stringify(report, null, 2));
      return code;
    }
    for (const actor of report.actors) {
      io.stdout(`${actor.actorId}: ${actor.exported} exported, ${actor.skipped.length} skipped  (${path.relative(io.cwd, actor.dir) || '.'})`);
      if (actor.notEvaluated.length > 0) {
        // Names only when few: a never-evaluated folder would otherwise flood the terminal.
        const names = actor.notEvaluated.length <= 5 ? `: ${actor.notEvaluated.join(', ')}` : '';
        io.stdout(`  ${actor.notEvaluated.length} not evaluated, exported unchecked (actor-studio evaluate checks them)${names}`);
      }
      for (const skipped of actor.skipped) {
        io.stdout(`  skipped ${skipped.filename}: ${skipped.reason}`);
      }
      for (const warning of actor.warnings) {
        io.stderr(`${actor.actorId}: ${warning}`);
      }
    }
    for (const failure of report.failed) {
      io.stderr(`${failure.actorId}: not exported: ${failure.file}: ${failure.reason}`);
    }
    const notExported =
      report.failed.length > 0 ? `; ${report.failed.length} actor(s) not exported: ${report.failed.map((failure) => failure.actorId).join(', ')}` : '';
    io.stdout(`${report.exported} image(s) of ${report.actors.length} actor(s) exported as ${report.format} to ${report.outDir}${notExported}`);
    return code;
  },
};

const PROMPTS_USAGE = `actor-studio export-prompts [--out FILE] [--min-rating N (default ${DEFAULT_MIN_QUALITY_RATING})] [--max-failed N] [--max-successful N] [--max-bad N] [--force] [--data DIR] [--json]`;

/** `actor-studio export-prompts`: good prompts, failed prompts by reason and their analysis, from the generation log. */
export const exportPromptsCommand: CliCommand = {
  name: 'export-prompts',
  summary: `export curated prompt data (good and bad rated successes, failures by reason, analysis) as JSON; default file data/exports/prompt_training_data_<date>.json`,
  usage: PROMPTS_USAGE,
  options: {
    out: { type: 'string' },
    'min-rating': { type: 'string' },
    'max-failed': { type: 'string' },
    'max-successful': { type: 'string' },
    'max-bad': { type: 'string' },
    force: { type: 'boolean', default: false },
  },
  async run(values, io, studio) {
    // The generation log is all it reads: a data folder without actors/ still has one.
    const dataRoot = await requireDataFolder(studio.dataRoot, { actors: false });
    let result;
    try {
      result = await exportPromptData({
        dataRoot,
        outFile: values.out === undefined ? undefined : path.resolve(io.cwd, String(values.out)),
        minQualityRating: integerOption(values, 'min-rating'),
        maxFailedExamples: integerOption(values, 'max-failed'),
        maxSuccessfulExamples: integerOption(values, 'max-successful'),
        maxBadExamples: integerOption(values, 'max-bad'),
        force: Boolean(values.force),
      });
    } catch (error) {
      if (error instanceof ExportInputError || error instanceof GenerationLogFileError) {
        throw new InputError(error.message);
      }
      throw error;
    }
    const { file, data } = result;
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            file,
            settings: data.settings,
            good_prompts: data.good_prompts.length,
            bad_prompts: data.bad_prompts.length,
            failed_prompts: countFailed(data.failed_prompts_by_category),
            analysis: data.analysis,
          },
          null,
          2,
        ),
      );
      return EXIT_OK;
    }
    const { analysis } = data;
    const reasons = Object.entries(analysis.failure_reasons).map(([reason, { count }]) => `${reason} ${count}`);
    io.stdout(
      `${analysis.attempts} attempt(s) in the log: ${analysis.successes} succeeded (${analysis.rated_successes} rated), ${analysis.failures} failed${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
    );
    io.stdout(
      `${data.good_prompts.length} good prompt(s) (${data.settings.min_quality_rating === 0 ? 'any rating' : `rated ${data.settings.min_quality_rating}+ or saved by hand unrated`}, at most ${data.settings.max_successful_examples}), ${data.bad_prompts.length} bad prompt(s) (rated 1-3) and ${countFailed(data.failed_prompts_by_category)} failed prompt(s) (newest ${data.settings.max_failed_examples} failures) written to ${path.relative(io.cwd, file) || file}`,
    );
    return EXIT_OK;
  },
};

function countFailed(byReason: Record<string, unknown[] | undefined>): number {
  return Object.values(byReason).reduce((sum, list) => sum + (list?.length ?? 0), 0);
}
