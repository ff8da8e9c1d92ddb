import * as path from 'node:path';

/** The extensions ai-toolkit looks for, in its order (toolkit/dataloader_mixins.py img_ext_list). */
const AI_TOOLKIT_IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

export interface PairProblem {
  /** The target (a file of images/) or, for an unused control, the file of control/. */
  file: string;
  problem: string;
}

/**
 * Kontext pairs as ai-toolkit finds them (toolkit/dataloader_mixins.py
 * ControlFileItemDTOMixin.__init__: for each target, the first control_path file with the
 * target's stem and one of its image extensions). A sound pair is one control of exactly the
 * target's file name; anything else is named: none, several (and which one ai-toolkit takes),
 * another extension, and controls no target uses.
 */
export function kontextPairProblems(targets: readonly string[], controls: readonly string[]): PairProblem[] {
  const byStem = new Map<string, string[]>();
  for (const control of controls) {
    const ext = path.extname(control);
    if (!AI_TOOLKIT_IMAGE_EXTENSIONS.includes(ext)) {
      continue;
    }
    const stem = control.slice(0, -ext.length);
    byStem.set(stem, [...(byStem.get(stem) ?? []), control]);
  }
  const problems: PairProblem[] = [];
  const used = new Set<string>();
  for (const target of targets) {
    const stem = target.slice(0, target.length - path.extname(target).length);
    const found = AI_TOOLKIT_IMAGE_EXTENSIONS.map((ext) => `${stem}${ext}`).filter((name) => byStem.get(stem)?.includes(name));
    found.forEach((name) => used.add(name));
    if (found.length === 0) {
      problems.push({ file: target, problem: 'no control image of the same name: ai-toolkit trains this target without one' });
    } else if (found.length > 1) {
      problems.push({
        file: target,
        problem: `${found.length} control images named ${stem}.*: ai-toolkit takes ${found[0]} (first of ${AI_TOOLKIT_IMAGE_EXTENSIONS.join(', ')})`,
      });
    } else if (found[0] !== target) {
      problems.push({ file: target, problem: `its control image is ${found[0]}, not ${target}: ai-toolkit pairs them, other tools need the same file name` });
    }
  }
  for (const control of controls) {
    if (!used.has(control)) {
      problems.push({ file: control, problem: 'a control image no target uses' });
    }
  }
  return problems;
}
