import type { ActorRecord } from '../../core/actors/types';
import { captionSubjects, describeCaptionEdit, previewCaptionEdit, type CaptionChange, type CaptionEdit } from '../../core/captions/captionEdits';
import { actorCaptionReport, DEFAULT_MAX_TOKENS, type CaptionFinding } from '../../core/captions/captionLint';
import { applyCaptionChanges, undoCaptionEdit } from '../../core/captions/captionStore';
import { InputError } from '../../core/errors';
import { CliCommand, EXIT_FAILED, EXIT_OK, requireDataFolder, selectActors, terminalSafe, type CliIO } from '../cliSupport';

const CAPTIONS_USAGE = [
  'actor-studio captions (--actor-id ID | --all) [--lint [--trigger WORD] [--class WORD] [--max-tokens N]] [--data DIR] [--json]',
  '       actor-studio captions (--actor-id ID | --all) [--image FILE ...] (--prepend TEXT | --append TEXT | --set TEXT | --replace A --with B [--regex]) [--dry-run] [--json]',
  '       actor-studio captions --undo [--json]',
].join('\n');

const CAPTION_USAGE = 'actor-studio caption --actor-id ID --image FILE --set TEXT [--data DIR] [--json]';

/**
 * `actor-studio captions`: each image's training caption with its source (user, or seeded from
 * the vision caption, the prompt or the category), with `--lint` its findings (exit 1 when one is
 * an error); or a bulk edit of the captions, listed before and after, written unless `--dry-run`
 * and undone by `--undo`.
 */
export const captionsCommand: CliCommand = {
  name: 'captions',
  summary: 'list, lint or bulk-edit training captions (prepend, append, set, find/replace; --dry-run shows every change); --undo takes back the last edit',
  usage: CAPTIONS_USAGE,
  options: {
    'actor-id': { type: 'string' },
    all: { type: 'boolean', default: false },
    image: { type: 'string', multiple: true },
    lint: { type: 'boolean', default: false },
    trigger: { type: 'string' },
    class: { type: 'string' },
    'max-tokens': { type: 'string' },
    prepend: { type: 'string' },
    append: { type: 'string' },
    set: { type: 'string' },
    replace: { type: 'string' },
    with: { type: 'string' },
    regex: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    undo: { type: 'boolean', default: false },
  },
  async run(values, io, studio) {
    if (values.undo) {
      if (values['actor-id'] || values.all || editOf(values)) {
        throw new InputError(`--undo takes back the last caption edit and takes no other flag\nusage: ${CAPTIONS_USAGE}`);
      }
      return undo(await requireDataFolder(studio.dataRoot), values, io);
    }
    const edit = editOf(values);
    const { dataRoot, index, ids } = await selectActors(values, studio, CAPTIONS_USAGE);
    const actors = index.actors.filter((actor) => ids.includes(actor.id));
    const filenames = values.image as string[] | undefined;
    if (filenames && ids.length !== 1) {
      throw new InputError(`--image names images of one actor: give --actor-id ID\nusage: ${CAPTIONS_USAGE}`);
    }
    if (!edit) {
      if (filenames) {
        throw new InputError(`--image selects the images to edit: give --prepend, --append, --set or --replace\nusage: ${CAPTIONS_USAGE}`);
      }
      return list(actors, values, io);
    }
    const changes = previewCaptionEdit(
      actors.flatMap((actor) => captionSubjects(actor, filenames)),
      edit,
    );
    return write(dataRoot, changes, describeCaptionEdit(edit), Boolean(values['dry-run']), values, io);
  },
};

/** `actor-studio caption`: sets one image's caption (the user's from then on; `captions --undo` takes it back). */
export const captionCommand: CliCommand = {
  name: 'caption',
  summary: "set one image's training caption ([trigger] stands for the trigger word)",
  usage: CAPTION_USAGE,
  options: {
    'actor-id': { type: 'string' },
    image: { type: 'string' },
    set: { type: 'string' },
  },
  async run(values, io, studio) {
    const actorId = values['actor-id'] as string | undefined;
    const filename = values.image as string | undefined;
    if (!actorId || !filename || values.set === undefined) {
      throw new InputError(`--actor-id, --image and --set are required\nusage: ${CAPTION_USAGE}`);
    }
    const { dataRoot, index } = await selectActors({ 'actor-id': actorId }, studio, CAPTION_USAGE);
    const actor = index.actors.find((each) => each.id === actorId)!;
    const edit: CaptionEdit = { kind: 'set', text: values.set as string };
    const changes = previewCaptionEdit(captionSubjects(actor, [filename]), edit);
    return write(dataRoot, changes, describeCaptionEdit(edit), false, values, io);
  },
};

/** The edit the flags ask for, or undefined; two of them at once, or --with without --replace, are input errors. */
function editOf(values: Record<string, unknown>): CaptionEdit | undefined {
  const given = (['prepend', 'append', 'set', 'replace'] as const).filter((flag) => values[flag] !== undefined);
  if (given.length > 1) {
    throw new InputError(`give one edit at a time, not ${given.map((flag) => `--${flag}`).join(' and ')}\nusage: ${CAPTIONS_USAGE}`);
  }
  if ((values.with !== undefined || values.regex) && given[0] !== 'replace') {
    throw new InputError(`--with and --regex go with --replace\nusage: ${CAPTIONS_USAGE}`);
  }
  const kind = given[0];
  if (kind === 'replace') {
    if (values.with === undefined) {
      throw new InputError(`--replace needs --with (--with "" removes the text)\nusage: ${CAPTIONS_USAGE}`);
    }
    return { kind, find: values.replace as string, with: values.with as string, regex: Boolean(values.regex) };
  }
  return kind ? { kind, text: values[kind] as string } : undefined;
}

function list(actors: readonly ActorRecord[], values: Record<string, unknown>, io: CliIO): number {
  const maxTokens = values['max-tokens'] === undefined ? undefined : parseMaxTokens(values['max-tokens'] as string);
  const lint = Boolean(values.lint);
  const reports = actors.map((actor) => ({
    actorId: actor.id,
    images: actorCaptionReport(actor, { trigger: values.trigger as string | undefined, classWord: values.class as string | undefined, maxTokens }),
  }));
  const errors = lint && reports.some((report) => report.images.some((image) => image.findings.some((finding) => finding.severity === 'error')));
  if (values.json) {
    const actorsJson = reports.map((report) => ({
      actor_id: report.actorId,
      images: report.images.map((image) => ({
        file: image.filename,
        category: image.category,
        caption: image.caption,
        source: image.source,
        ...(lint ? { lint: image.findings } : {}),
      })),
    }));
    io.stdout(JSON.stringify({ actors: actorsJson }, null, 2));
    return errors ? EXIT_FAILED : EXIT_OK;
  }
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(`${report.actorId} (${report.images.length} captions)`);
    for (const image of report.images) {
      lines.push(`  ${image.filename}  [${image.source}]  ${terminalSafe(image.caption)}`);
      if (lint) {
        lines.push(...image.findings.map((finding) => `      ${describeFinding(finding)}`));
      }
    }
  }
  if (lint) {
    const findings = reports.flatMap((report) => report.images.flatMap((image) => image.findings));
    lines.push(`${findings.length} finding${findings.length === 1 ? '' : 's'} (${countBy(findings)})`);
  }
  io.stdout(lines.join('\n'));
  return errors ? EXIT_FAILED : EXIT_OK;
}

async function write(
  dataRoot: string,
  changes: CaptionChange[],
  description: string,
  dryRun: boolean,
  values: Record<string, unknown>,
  io: CliIO,
): Promise<number> {
  const changed = changes.filter((change) => change.changed);
  const applied = dryRun || changed.length === 0 ? undefined : await applyCaptionChanges(dataRoot, changes, description);
  if (values.json) {
    const json = {
      edit: description,
      dry_run: dryRun,
      changes: changed.map((change) => ({
        actor_id: change.actorId,
        file: change.filename,
        before: change.before.text,
        before_source: change.before.source,
        after: change.after,
      })),
      unchanged: changes.length - changed.length,
      undo_id: applied?.record?.id ?? null,
    };
    io.stdout(JSON.stringify(json, null, 2));
    return EXIT_OK;
  }
  const lines = changed.map((change) =>
    [`${change.actorId}/${change.filename} [${change.before.source}]`, `  - ${terminalSafe(change.before.text)}`, `  + ${terminalSafe(change.after)}`].join(
      '\n',
    ),
  );
  const unchanged = changes.length - changed.length;
  const tally = `${changed.length} caption${changed.length === 1 ? '' : 's'}${unchanged ? ` (${unchanged} unchanged)` : ''}`;
  lines.push(
    dryRun
      ? `${description}: would change ${tally}; nothing written (--dry-run)`
      : `${description}: changed ${tally}${applied?.record ? ' (undo: actor-studio captions --undo)' : ''}`,
  );
  io.stdout(lines.join('\n'));
  return EXIT_OK;
}

async function undo(dataRoot: string, values: Record<string, unknown>, io: CliIO): Promise<number> {
  const undone = await undoCaptionEdit(dataRoot);
  if (values.json) {
    io.stdout(
      JSON.stringify(
        undone
          ? { undone: undone.record.description, undo_id: undone.record.id, restored: undone.restored, gone: undone.gone, remaining: undone.remaining }
          : { undone: null },
        null,
        2,
      ),
    );
  } else if (!undone) {
    io.stdout('no caption edit to undo');
  } else {
    const gone = undone.gone.length ? `; ${undone.gone.length} image(s) no longer in their manifest: ${undone.gone.join(', ')}` : '';
    io.stdout(`undid ${terminalSafe(undone.record.description)}: ${undone.restored} caption(s) restored${gone} (${undone.remaining} more to undo)`);
  }
  return EXIT_OK;
}

function parseMaxTokens(value: string): number {
  if (!/^[1-9]\d*$/.test(value.trim())) {
    throw new InputError(`--max-tokens must be a whole number of tokens (${DEFAULT_MAX_TOKENS} for kohya's default), not "${value}"`);
  }
  return Number(value);
}

function describeFinding(finding: CaptionFinding): string {
  return `${finding.severity} ${finding.code}: ${finding.message}`;
}

function countBy(findings: readonly CaptionFinding[]): string {
  const counts = new Map<string, number>();
  for (const finding of findings) {
    counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  }
  return ['error', 'warning', 'info'].map((severity) => `${counts.get(severity) ?? 0} ${severity}`).join(', ');
}
