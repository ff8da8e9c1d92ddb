import type { ActorImage, ActorRecord } from '../actors/types';
import { InputError } from '../errors';
import type { CaptionSource } from '../manifest/categories';
import { imageCaption, type ImageCaption } from './imageCaption';

/*
 * Caption edits, pure: what an edit makes of each caption, before anything is written. Seeds are
 * computed on read (imageCaption) and a caption is stored only when someone edits it, so a later
 * vision caption still improves every caption nobody touched. An edit of a seeded caption stores
 * the edited text with `caption_source: "user"`.
 */

export type CaptionEdit =
  | { kind: 'set'; text: string }
  | { kind: 'prepend'; text: string }
  | { kind: 'append'; text: string }
  | { kind: 'replace'; find: string; with: string; regex?: boolean };

export const CAPTION_EDIT_KINDS = ['set', 'prepend', 'append', 'replace'] as const;

/** What a manifest entry holds: both absent means "no stored caption" (seeded on read). */
export interface StoredCaption {
  caption?: string;
  caption_source?: CaptionSource;
}

/** One image to edit: its actor, the image as read, and the actor's descriptor (for the seed). */
export interface CaptionSubject {
  actorId: string;
  image: ActorImage;
  descriptor: string;
}

export interface CaptionChange {
  actorId: string;
  filename: string;
  /** The caption shown before the edit, stored or seeded, with its source. */
  before: ImageCaption;
  after: string;
  changed: boolean;
  /** What the entry held when the preview was made: applying refuses if it differs by then. */
  stored: StoredCaption;
}

/** The stored caption fields of an entry (none when it has no caption of its own). */
export function storedCaption(entry: { caption?: string; caption_source?: CaptionSource } | undefined): StoredCaption {
  return {
    ...(entry?.caption !== undefined ? { caption: entry.caption } : {}),
    ...(entry?.caption_source !== undefined ? { caption_source: entry.caption_source } : {}),
  };
}

export function sameStoredCaption(a: StoredCaption, b: StoredCaption): boolean {
  return a.caption === b.caption && a.caption_source === b.caption_source;
}

/** An edit as a function of a caption. A bad regex or an empty search is an input error. */
export function compileCaptionEdit(edit: CaptionEdit): (caption: string) => string {
  switch (edit.kind) {
    case 'set':
      return () => tidy(edit.text);
    case 'prepend':
      return (caption) => tidy(joinWords(edit.text, caption));
    case 'append':
      return (caption) => tidy(joinWords(caption, edit.text));
    case 'replace': {
      if (edit.find === '') {
        throw new InputError('the text to replace is empty: give what to find');
      }
      if (!edit.regex) {
        // A function: "$&" and "$1" in the replacement stay literal in a plain replace.
        return (caption) => tidy(caption.split(edit.find).join(edit.with));
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(edit.find, 'gu');
      } catch (error) {
        throw new InputError(`not a valid regular expression: /${edit.find}/ (${(error as Error).message})`);
      }
      return (caption) => tidy(caption.replace(pattern, edit.with));
    }
  }
}

/** A short description, for the undo list and messages: `prepend "ohwx,"`. */
export function describeCaptionEdit(edit: CaptionEdit): string {
  if (edit.kind === 'replace') {
    return `replace ${edit.regex ? `/${edit.find}/` : JSON.stringify(edit.find)} with ${JSON.stringify(edit.with)}`;
  }
  return `${edit.kind} ${JSON.stringify(edit.text)}`;
}

/**
 * Every image's caption before and after the edit; nothing is written. Images whose caption
 * stays the same are listed with `changed: false`. An edit that would leave a caption empty is
 * an input error naming the image (an empty caption file trains on nothing but the folder name).
 */
export function previewCaptionEdit(subjects: readonly CaptionSubject[], edit: CaptionEdit): CaptionChange[] {
  const apply = compileCaptionEdit(edit);
  return subjects.map(({ actorId, image, descriptor }) => {
    const before = imageCaption(image, descriptor);
    const after = apply(before.text);
    if (after === '') {
      throw new InputError(`${describeCaptionEdit(edit)} would leave the caption of ${actorId}/${image.filename} empty`);
    }
    const stored = storedCaption(image.entry);
    // A seed made the user's by an edit that leaves its text as it was is no change either.
    return { actorId, filename: image.filename, before, after, changed: after !== before.text, stored };
  });
}

/**
 * The images of an actor a caption can be stored for (in its manifest and on disk), all of them or the
 * named ones. A name that is not in the manifest is an input error naming the manifest.
 */
export function captionSubjects(actor: ActorRecord, filenames?: readonly string[]): CaptionSubject[] {
  const descriptor = String(actor.info.descriptor);
  const tracked = actor.images.filter((image) => image.tracked && image.entry && !image.missing);
  const chosen = filenames
    ? filenames.map((filename) => {
        const image = tracked.find((candidate) => candidate.filename === filename);
        if (!image) {
          throw new InputError(`${actor.manifestPath}: no image "${filename}" in this manifest (or its file is missing)`, { file: actor.manifestPath });
        }
        return image;
      })
    : tracked;
  return chosen.map((image) => ({ actorId: actor.id, image, descriptor }));
}

/** Prepend and append join with one space; text that starts with punctuation joins without. */
function joinWords(first: string, second: string): string {
  const a = first.trim();
  const b = second.trim();
  if (!a || !b) {
    return a || b;
  }
  return /^[,.;:!?)]/.test(b) ? `${a}${b}` : `${a} ${b}`;
}

/** One line, no doubled spaces, trimmed: what kohya and ai-toolkit read as one caption. */
function tidy(caption: string): string {
  return caption
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * A one-line view of what an edit changed, for previews too narrow for two whole captions: the
 * words around the change, the removed part in ⟨−…⟩ and the added part in ⟨+…⟩.
 */
export function changeSnippet(before: string, after: string, context = 24): string {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) {
    start++;
  }
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) {
    end++;
  }
  const removed = before.slice(start, before.length - end);
  const added = after.slice(start, after.length - end);
  const lead = before.slice(Math.max(0, start - context), start);
  const tail = before.slice(before.length - end, before.length - end + context);
  return [start > context ? '…' : '', lead, removed ? `⟨−${removed}⟩` : '', added ? `⟨+${added}⟩` : '', tail, end > context ? '…' : ''].join('');
}
