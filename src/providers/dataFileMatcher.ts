import * as path from 'node:path';

/**
 * Where each kind of data file (DATA_FILE_KINDS ids) lives, relative to the data folder. The
 * jsonValidation globs are relative to the workspace and assume the folder is called `data`;
 * these follow the configured data folder, whatever its name and wherever it is. Plain regexes,
 * so deciding whether a document is a data file never loads the schemas (activation stays light).
 */
const DATA_RELATIVE_PATTERNS: Record<string, RegExp> = {
  manifest: /^actors\/[^/]+\/training_data\/manifest\.json$/,
  'prompt-metadata': /^actors\/[^/]+\/training_data\/prompt_metadata\.json$/,
  'legacy-response': /^actors\/[^/]+\/training_data\/response\.json$/,
  'action-plan': /^action_plans\/[^/]+_action_plan\.json$/,
  'plan-summary': /^action_plans\/summary\.json$/,
  progress: /^action_plans\/progress\.json$/,
  'execution-journal': /^action_plans\/runs\/[^/]+\.json$/,
  'balance-state': /^action_plans\/balance\/[^/]+\.json$/,
  'prompt-library': /^prompts\.json$/,
  'pending-uploads': /^tracking\/pending_uploads\.json$/,
  'generation-log': /^tracking\/generation_log(\.archive-\d+)?\.json$/,
  'recovered-image': /^recovered\/[^/]+\/[^/]+\.json$/,
  'vision-batch': /^action_plans\/vision_batch\.json$/,
  'caption-undo': /^action_plans\/caption_undo\.json$/,
};

/** The ids this matcher knows; the integration test checks they are exactly DATA_FILE_KINDS'. */
export const MATCHED_KIND_IDS = Object.keys(DATA_RELATIVE_PATTERNS);

/** The DATA_FILE_KINDS id of `file` (absolute), or undefined when it is not a data file. */
export function dataFileKindId(dataRoot: string, file: string): string | undefined {
  const relative = path.relative(path.resolve(dataRoot), path.resolve(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return undefined;
  }
  const posix = relative.split(path.sep).join('/');
  return MATCHED_KIND_IDS.find((id) => DATA_RELATIVE_PATTERNS[id]!.test(posix));
}
