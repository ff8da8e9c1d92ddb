import * as path from 'node:path';
import type { z } from 'zod';
import { TRAINING_CATEGORIES } from '../manifest/categories';
import { promptLibrarySchema } from '../manifest/dataFileSchemas';
import { formatPath } from '../manifest/jsonFile';
import type { DataProblem } from '../workspace/problems';
import { BUILTIN_PROMPTS } from './builtinPrompts';
import { OptionalJson, problemAt, readOptionalJson } from '../manifest/optionalJsonFile';
import type { LibraryPrompt, PromptDefinition } from './types';

/** The user library, in the data folder: `<dataRoot>/prompts.json`. */
export const PROMPT_LIBRARY_FILE = 'prompts.json';

/** The slot a template names its subject with; filled with "man", "woman" or "person". */
export const DESCRIPTOR_SLOT = '{descriptor}';

type UserPromptEntry = z.infer<typeof promptLibrarySchema>['prompts'][number];

export interface PromptLibrary {
  /** Built-ins merged with the user's entries, by category, built-ins first (see mergeUserPrompts). */
  prompts: LibraryPrompt[];
  /** Problems in the user library, located; whatever they are, the built-ins stand. */
  problems: DataProblem[];
  /** Where the user library is, whether or not it exists. */
  file: string;
}

/**
 * The prompt text for one subject. Plain text substitution: a template is never evaluated, and
 * `$&`-like sequences in the descriptor stay literal (String.replace would expand them).
 */
export function fillPrompt(template: string, descriptor: string): string {
  return template.split(DESCRIPTOR_SLOT).join(descriptor);
}

/** Loads the built-ins and `<dataRoot>/prompts.json` (optional) merged. Never throws for bad input. */
export async function loadPromptLibrary(dataRoot: string, builtins: readonly PromptDefinition[] = BUILTIN_PROMPTS): Promise<PromptLibrary> {
  const file = path.join(dataRoot, PROMPT_LIBRARY_FILE);
  return libraryFrom(file, await readOptionalJson(dataRoot, file, promptLibrarySchema), builtins);
}

function libraryFrom(file: string, library: OptionalJson<z.infer<typeof promptLibrarySchema>>, builtins: readonly PromptDefinition[]): PromptLibrary {
  if (library.state !== 'ok') {
    const problems = library.state === 'invalid' ? library.problems : [];
    return { prompts: mergeUserPrompts(builtins, [], () => undefined), problems, file };
  }
  const problems: DataProblem[] = [];
  const prompts = mergeUserPrompts(builtins, library.value.prompts, (location, message, severity) =>
    problems.push(problemAt(file, library.text, location, `${formatPath(location)}: ${message}`, severity)),
  );
  return { prompts, problems, file };
}

type Report = (location: Array<string | number>, message: string, severity: 'error' | 'warning') => void;

const REQUIRED_FOR_NEW: ReadonlyArray<keyof PromptDefinition> = ['label', 'category', 'template'];

/**
 * Merges user entries over the built-ins. An entry with a built-in id overrides the fields it
 * gives; a new id adds a prompt (label, category and template required); `disabled: true`
 * removes either. The order is stable: by category (photorealistic, bw_stylized,
 * color_stylized), built-ins first in their order, then additions in file order. Entries that
 * break a rule are reported and skipped; the rest of the library is kept.
 */
function mergeUserPrompts(builtins: readonly PromptDefinition[], entries: UserPromptEntry[], report: Report): LibraryPrompt[] {
  const builtinById = new Map(builtins.map((prompt) => [prompt.id, prompt]));
  // A built-in as the user library leaves it; undefined once disabled.
  const effective = new Map<string, LibraryPrompt | undefined>(builtins.map((prompt) => [prompt.id, { ...prompt, source: 'builtin' }]));
  const additions: LibraryPrompt[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, position) => {
    const at = (...rest: string[]) => ['prompts', position, ...rest];
    if (seen.has(entry.id)) {
      report(at('id'), `"${entry.id}" is listed more than once; the first entry is used.`, 'warning');
      return;
    }
    seen.add(entry.id);
    const builtin = builtinById.get(entry.id);
    if (entry.disabled) {
      if (builtin) {
        effective.set(entry.id, undefined);
      }
      return;
    }
    const blank = (['label', 'template'] as const).filter((field) => entry[field] !== undefined && entry[field].trim() === '');
    if (blank.length > 0) {
      report(at(blank[0]), `must not be empty; "${entry.id}" is ignored.`, 'error');
      return;
    }
    if (!builtin) {
      const missing = REQUIRED_FOR_NEW.filter((field) => entry[field] === undefined);
      if (missing.length > 0) {
        report(
          at('id'),
          `"${entry.id}" is not a built-in prompt, so it needs ${REQUIRED_FOR_NEW.join(', ')}; missing: ${missing.join(', ')}. It is ignored.`,
          'error',
        );
        return;
      }
    }
    if (entry.template !== undefined && !entry.template.includes(DESCRIPTOR_SLOT)) {
      report(at('template'), `has no ${DESCRIPTOR_SLOT} slot, so the prompt cannot say "man", "woman" or "person" for the actor.`, 'warning');
    }
    const given = {
      ...(entry.label !== undefined && { label: entry.label }),
      ...(entry.category !== undefined && { category: entry.category }),
      ...(entry.template !== undefined && { template: entry.template }),
    };
    if (builtin) {
      effective.set(entry.id, { ...builtin, ...given, source: 'builtin' });
    } else {
      const { label, category, template } = given as Omit<PromptDefinition, 'id'>;
      additions.push({ id: entry.id, label, category, template, source: 'user' });
    }
  });
  const ordered = [...effective.values(), ...additions].filter((prompt): prompt is LibraryPrompt => prompt !== undefined);
  return TRAINING_CATEGORIES.flatMap((category) => ordered.filter((prompt) => prompt.category === category));
}
