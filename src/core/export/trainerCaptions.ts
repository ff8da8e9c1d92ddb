/**
 * What each trainer makes of the caption file we write, following its code, so the preview shows
 * the text the model is really trained on. Pure string work.
 */

/** The caption settings our kohya dataset.toml writes ([general]); the preview reads the same values. */
export const KOHYA_CAPTIONS = { keepTokens: 1, shuffleCaption: false } as const;

export interface KohyaCaption {
  /** The caption kohya trains on (in file order: shuffle_caption is off). */
  caption: string;
  /** The first keep_tokens comma-separated tokens: they stay first even when shuffling. */
  fixedTokens: string[];
  /** The rest: shuffled every step when shuffle_caption is on. */
  shuffledTokens: string[];
  /** Lines after the first, which kohya never reads. */
  droppedLines: number;
}

/**
 * kohya sd-scripts library/train_util.py: DreamBoothDataset read_caption keeps the first line,
 * stripped; BaseDataset.process_caption splits on caption_separator (",") and keeps the first
 * keep_tokens tokens in front when shuffle_caption shuffles the rest (joined with ", ").
 */
export function kohyaCaption(fileText: string, settings: { keepTokens: number; shuffleCaption: boolean } = KOHYA_CAPTIONS): KohyaCaption {
  const lines = fileText.split(/\r\n|\r|\n/);
  const firstLine = lines[0]!.trim();
  const droppedLines = lines.slice(1).filter((line) => line.trim() !== '').length;
  const tokens = firstLine.split(',').map((token) => token.trim());
  const fixedTokens = settings.keepTokens > 0 ? tokens.slice(0, settings.keepTokens) : [];
  const shuffledTokens = tokens.slice(fixedTokens.length);
  // Without shuffling, kohya leaves the caption as read; with it, the tokens are joined again.
  const caption = settings.shuffleCaption ? [...fixedTokens, ...shuffledTokens].join(', ') : firstLine;
  return { caption, fixedTokens, shuffledTokens, droppedLines };
}

export interface AiToolkitCaption {
  caption: string;
  /** The caption lacked the trigger, so ai-toolkit put it in front. */
  triggerAdded: boolean;
}

/**
 * ai-toolkit toolkit/dataloader_mixins.py CaptionProcessingDTOMixin.get_caption: the whole file,
 * split on "," and joined with ", " (no shuffle, no dropout by default), then
 * toolkit/prompt_utils.py inject_trigger_into_prompt: "[name]" and "[trigger]" become the
 * trigger, which is put in front ("<trigger> <caption>") when the caption does not contain it.
 * Whitespace is collapsed for display: CLIP's and T5's tokenizers collapse it too.
 */
export function aiToolkitCaption(fileText: string, trigger: string): AiToolkitCaption {
  let caption = fileText.split(',').join(', ');
  for (const token of ['[name]', '[trigger]']) {
    caption = caption.split(token).join(trigger);
  }
  const triggerAdded = trigger.trim() !== '' && !caption.includes(trigger);
  if (triggerAdded) {
    caption = `${trigger} ${caption}`;
  }
  return { caption: caption.replace(/\s+/g, ' ').trim(), triggerAdded };
}
