import { InputError } from '../../core/errors';
import * as path from 'node:path';
import { CATEGORY_LABELS, TRAINING_CATEGORIES } from '../../core/manifest/categories';
import { fillPrompt, loadPromptLibrary, PROMPT_LIBRARY_FILE } from '../../core/prompts/library';
import { countPromptUsage, customPrompts, leastUsed, usageBadge, usageForPrompts } from '../../core/prompts/usage';
import { categoryFromPromptText } from '../../core/prompts/promptCategory';
import { shorten } from '../../core/util/text';
import { indexDataFolder } from '../../core/actors/dataIndex';
import { CliCommand, EXIT_FAILED, EXIT_OK, relativeProblem, requireDataFolder, table } from '../cliSupport';
import { formatProblem } from '../../core/workspace/formatProblem';

/** How many least-used prompts to suggest per category. */
const SUGGESTIONS_PER_CATEGORY = 3;
/** Custom prompt texts are cut to this many characters in the table (--json has them whole). */
const CUSTOM_TEXT_WIDTH = 100;

/** `actor-studio prompts`: the prompt library with usage counts, and what to use next. */
export const promptsCommand: CliCommand = {
  name: 'prompts',
  summary: 'list the prompt library with usage counts and the least-used prompts per category',
  usage: 'actor-studio prompts [--data DIR] [--actor-id ID] [--json]',
  options: { 'actor-id': { type: 'string' } },
  async run(values, io, studio) {
    const dataRoot = studio.dataRoot;
    await requireDataFolder(dataRoot);
    const index = await indexDataFolder(dataRoot);
    const actorId = values['actor-id'] as string | undefined;
    const actor = actorId === undefined ? undefined : index.actors.find((candidate) => candidate.id === actorId);
    if (actorId !== undefined && !actor) {
      throw new InputError(`unknown actor id "${actorId}": no folder ${path.join(dataRoot, 'actors', actorId)} (\`actor-studio actors\` lists them)`);
    }
    const library = await loadPromptLibrary(dataRoot);
    const counts = await countPromptUsage(index, library.prompts);
    const usage = usageForPrompts(library.prompts, counts, actorId);
    const suggestions = TRAINING_CATEGORIES.map((category) => ({
      category,
      prompts: leastUsed(library.prompts, usage, category, SUGGESTIONS_PER_CATEGORY),
    }));
    const libraryIds = new Set(library.prompts.map((prompt) => prompt.id));
    const unlisted = [...(actorId === undefined ? counts.overall : counts.byActor.get(actorId)!)].filter(([id]) => !libraryIds.has(id));
    const custom = customPrompts(counts, actorId);
    // Invalid manifests leave usage incomplete: name them, as `actors` does.
    const manifestErrors = index.actors.flatMap((each) =>
      each.manifestState === 'invalid' ? each.problems.filter((problem) => problem.severity === 'error') : [],
    );
    const problems = [...library.problems, ...counts.problems, ...manifestErrors];
    const exitCode = problems.some((problem) => problem.severity === 'error') ? EXIT_FAILED : EXIT_OK;

    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            data_root: dataRoot,
            actor_id: actorId ?? null,
            descriptor: actor ? actor.info.descriptor : null,
            library_file: path.relative(dataRoot, library.file),
            prompts: library.prompts.map((prompt, position) => ({
              id: prompt.id,
              label: prompt.label,
              category: prompt.category,
              source: prompt.source,
              used: usage[position].actorCount,
              total: usage[position].totalCount,
              badge: usageBadge(usage[position].actorCount),
              template: prompt.template,
              prompt: actor ? fillPrompt(prompt.template, String(actor.info.descriptor)) : null,
            })),
            least_used: Object.fromEntries(suggestions.map(({ category, prompts }) => [category, prompts.map((prompt) => prompt.id)])),
            unlisted_prompt_ids: Object.fromEntries(unlisted),
            custom_prompts: custom.map((prompt) => ({
              id: prompt.id,
              text: prompt.text,
              used: prompt.count,
              actors: prompt.actors,
              badge: usageBadge(prompt.count),
              category: categoryFromPromptText(prompt.text) ?? null,
            })),
            problems: problems.map((problem) => relativeProblem(dataRoot, problem)),
          },
          null,
          2,
        ),
      );
    } else {
      const header = ['ID', 'CATEGORY', 'LABEL', 'USED', 'TOTAL', 'USAGE'];
      const rows = library.prompts.map((prompt, position) => [
        prompt.id,
        CATEGORY_LABELS[prompt.category],
        prompt.label,
        String(usage[position].actorCount),
        String(usage[position].totalCount),
        usageBadge(usage[position].actorCount),
      ]);
      io.stdout(table([header, ...rows]));
      const userCount = library.prompts.filter((prompt) => prompt.source === 'user').length;
      const scope = actor ? `USED is for ${actor.id} (${actor.info.descriptor})` : `USED is across ${index.actors.length} actor(s)`;
      io.stdout(`${library.prompts.length} prompt(s), ${userCount} from ${PROMPT_LIBRARY_FILE}; ${scope}; TOTAL is across all actors`);
      if (unlisted.length > 0) {
        io.stdout(`Also used, not in the library: ${unlisted.map(([id, count]) => `${id} (${count}x)`).join(', ')}`);
      }
      if (custom.length > 0) {
        io.stdout('');
        io.stdout(`Custom prompts ${actor ? `of ${actor.id}` : 'across all actors'} (texts that match no library prompt; generate one with --prompt-text):`);
        io.stdout(
          table([
            ['USED', ...(actor ? [] : ['ACTORS']), 'TEXT'],
            ...custom.map((prompt) => [String(prompt.count), ...(actor ? [] : [String(prompt.actors)]), shorten(prompt.text, CUSTOM_TEXT_WIDTH)]),
          ]),
        );
      }
      io.stdout('');
      io.stdout(actor ? `Least used for ${actor.id}:` : 'Least used overall:');
      io.stdout(table(suggestions.map(({ category, prompts }) => [`  ${CATEGORY_LABELS[category]}`, prompts.map((prompt) => prompt.id).join(', ') || '-'])));
    }
    for (const problem of problems) {
      io.stderr(formatProblem(io.cwd, problem));
    }
    return exitCode;
  },
};
