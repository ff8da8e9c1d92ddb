import { categoryTargets } from '../../core/actors/targets';
import { indexDataFolder } from '../../core/actors/dataIndex';
import { CliCommand, COMMON_USAGE, EXIT_FAILED, EXIT_OK, relativeProblem, requireDataFolder, table, TARGET_OPTIONS, TARGET_USAGE } from '../cliSupport';
import { FileHasher } from '../../core/fs/files';
import type { PlanStatus } from '../../core/plan/planFiles';
import { readPlanStatuses } from '../../core/plan/planStatuses';
import { formatProblem } from '../../core/workspace/formatProblem';
import { countNeedingReview } from '../../core/tracking/review';

/** `actor-studio actors`: every actor with its counts per category, against the target. */
export const actorsCommand: CliCommand = {
  name: 'actors',
  summary: 'list actors, images per category against the target, and problems',
  usage: `actor-studio actors ${TARGET_USAGE} ${COMMON_USAGE}`,
  options: TARGET_OPTIONS,
  async run(values, io, studio) {
    const dataRoot = studio.dataRoot;
    await requireDataFolder(dataRoot);
    const index = await indexDataFolder(dataRoot);
    // The targets the settings give, as the editor's tree and `plan` use them.
    const target = studio.settings.settings.target;
    const targets = categoryTargets(target);
    const goal = target.total;
    const problems = [...index.problems, ...index.actors.flatMap((actor) => actor.problems)];
    const failed = index.actors.some((actor) => actor.manifestState === 'invalid');
    const plans = new Map<string, PlanStatus>();
    await readPlanStatuses(dataRoot, index.actors, new FileHasher(), { onStatus: (actor, status) => plans.set(actor.id, status) });
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            data_root: dataRoot,
            target: { total: goal, ...targets },
            actors: index.actors.map((actor) => ({
              id: actor.id,
              index: actor.info.index ?? null,
              ethnicity: actor.info.ethnicity ?? null,
              age: actor.info.age ?? null,
              sex: actor.info.sex ?? null,
              display_name: actor.info.displayName ?? null,
              descriptor: actor.info.descriptor,
              manifest: actor.manifestState,
              base_image: actor.baseImage?.filename ?? null,
              total: actor.total,
              counts: actor.counts,
              untracked: actor.images.filter((image) => !image.tracked).length,
              missing: actor.images.filter((image) => image.missing).length,
              needs_review: countNeedingReview(actor.images),
              plan: planToJson(plans.get(actor.id)!, countNeedingReview(actor.images)),
              problems: actor.problems.map((problem) => relativeProblem(dataRoot, problem)),
            })),
            problems: index.problems.map((problem) => relativeProblem(dataRoot, problem)),
          },
          null,
          2,
        ),
      );
      return failed ? EXIT_FAILED : EXIT_OK;
    }
    if (index.actors.length === 0) {
      io.stdout(`No actors in ${dataRoot}.`);
    } else {
      const header = ['ACTOR', 'IMAGES', 'PHOTO', 'B&W', 'COLOUR', 'UNCLASSIFIED', 'MANIFEST', 'BASE IMAGE', 'NEEDS REVIEW', 'PLAN'];
      const rows = index.actors.map((actor) => [
        actor.id,
        actor.manifestState === 'invalid' ? '-' : `${actor.total}/${goal}`,
        `${actor.counts.photorealistic}/${targets.photorealistic}`,
        `${actor.counts.bw_stylized}/${targets.bw_stylized}`,
        `${actor.counts.color_stylized}/${targets.color_stylized}`,
        String(actor.counts.unknown),
        actor.manifestState,
        actor.baseImage ? 'yes' : 'MISSING',
        String(countNeedingReview(actor.images)),
        planLabel(plans.get(actor.id)!, countNeedingReview(actor.images)),
      ]);
      io.stdout(table([header, ...rows]));
      io.stdout(`${index.actors.length} actor(s) in ${dataRoot}`);
      const waiting = index.actors.reduce((sum, actor) => sum + countNeedingReview(actor.images), 0);
      if (waiting > 0) {
        io.stdout(
          `${waiting} image(s) need review (a face the checks could not score): actor-studio review --actor-id ID --image FILE --keep, or delete them in the editor`,
        );
      }
    }
    for (const problem of problems.filter((each) => each.severity !== 'info')) {
      io.stderr(formatProblem(io.cwd, problem));
    }
    return failed ? EXIT_FAILED : EXIT_OK;
  },
};

/** `plan -4 +11`, `stale`, `none` or `invalid`, and `needs review` when images wait for a decision the plan leaves to the user. */
function planLabel(status: PlanStatus, needingReview: number): string {
  const state = status.state === 'planned' && status.plan ? `plan -${status.plan.deletions} +${status.plan.generations}` : status.state;
  return needingReview > 0 ? `${state}, needs review` : state;
}

function planToJson(status: PlanStatus, needingReview: number) {
  return {
    state: status.state,
    deletions: status.plan?.deletions ?? null,
    generations: status.plan?.generations ?? null,
    needs_review: needingReview > 0,
    label: planLabel(status, needingReview),
  };
}
