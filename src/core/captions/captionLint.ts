import type { ActorImage, ActorRecord } from '../actors/types';
import type { CaptionSource, Category } from '../manifest/categories';
import { escapeRegExp } from '../util/text';
import { captionSubjects } from './captionEdits';
import { imageCaption, TRIGGER_TOKEN, withTrigger } from './imageCaption';

/*
 * Caption lint, pure: what in a caption works against an identity LoRA. The trigger must be there
 * and first (kohya's keep_tokens and caption shuffling keep only the first tokens in place); the
 * class word must be there (kohya ignores `class_tokens` for every image that has a caption
 * file); the identity itself should stay implicit (what a caption names, the LoRA learns as
 * changeable, not as the person); a stylized image should name its medium (otherwise the style
 * leaks into the identity); and CLIP reads at most 75 tokens.
 */

export type CaptionLintSeverity = 'error' | 'warning' | 'info';

export const CAPTION_LINT_CODES = [
  'trigger_missing',
  'trigger_not_first',
  'class_missing',
  'identity_described',
  'hair_colour_described',
  'medium_missing',
  'too_long',
] as const;
export type CaptionLintCode = (typeof CAPTION_LINT_CODES)[number];

export interface CaptionFinding {
  code: CaptionLintCode;
  severity: CaptionLintSeverity;
  message: string;
}

export interface CaptionLintOptions {
  /** The trigger word; TRIGGER_TOKEN counts as the trigger too. Default: only TRIGGER_TOKEN. */
  trigger?: string;
  /** The class word: the actor's descriptor (man, woman, person) or the export's class. */
  classWord: string;
  category: Category;
  /** Tokens the trainer reads, without CLIP's start and end tokens: 75 for kohya's default. */
  maxTokens?: number;
}

/** kohya's default max_token_length: CLIP's 77 minus its start and end tokens. */
export const DEFAULT_MAX_TOKENS = 75;

export function lintCaption(caption: string, options: CaptionLintOptions): CaptionFinding[] {
  const findings: CaptionFinding[] = [];
  const text = caption.trim();
  const triggers = [TRIGGER_TOKEN, options.trigger?.trim()].filter((each): each is string => Boolean(each));
  const triggerAt = triggers.map((trigger) => findWord(text, trigger)).filter((index) => index >= 0);
  if (triggerAt.length === 0) {
    findings.push({
      code: 'trigger_missing',
      severity: 'error',
      message: `no trigger word (${triggers.join(' or ')}): the LoRA has nothing to bind the identity to`,
    });
  } else if (Math.min(...triggerAt) !== 0) {
    findings.push({
      code: 'trigger_not_first',
      severity: 'warning',
      message: 'the trigger word is not first: keep_tokens and caption shuffling keep only the first tokens in place',
    });
  }
  const classWord = options.classWord.trim();
  if (classWord && findWord(text, classWord, true) < 0) {
    findings.push({
      code: 'class_missing',
      severity: 'warning',
      message: `no class word "${classWord}": kohya ignores class_tokens for an image with a caption file`,
    });
  }
  const identity = matches(text, IDENTITY_PATTERNS);
  if (identity.length > 0) {
    findings.push({
      code: 'identity_described',
      severity: 'warning',
      message: `describes the identity (${identity.join(', ')}): leave it implicit, or the LoRA learns it as changeable`,
    });
  }
  const hair = matches(text, [HAIR_COLOUR]);
  if (hair.length > 0) {
    findings.push({
      code: 'hair_colour_described',
      severity: 'info',
      message: `names the hair colour (${hair.join(', ')}): leave it out unless it changes across the set`,
    });
  }
  const media = MEDIUM_WORDS[options.category];
  if (media && !media.test(text)) {
    findings.push({
      code: 'medium_missing',
      severity: 'warning',
      message: `a ${options.category === 'bw_stylized' ? 'black-and-white' : 'colour'} stylized image without its medium (e.g. "${MEDIUM_EXAMPLES[options.category]}"): the style leaks into the identity`,
    });
  }
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const tokens = estimateClipTokens(withTrigger(text, options.trigger?.trim() || 'trigger'));
  if (tokens > maxTokens) {
    findings.push({ code: 'too_long', severity: 'warning', message: `about ${tokens} tokens: the trainer reads ${maxTokens} and cuts the rest` });
  }
  return findings;
}

/**
 * CLIP's token count, estimated without its vocabulary: CLIP's own pre-tokenizer split (letter
 * runs, single digits, punctuation runs), a letter run of up to 10 letters as one token (CLIP's
 * 49k vocabulary holds nearly every common English word whole), a longer one as one token per 7
 * letters, a punctuation run as one token per character. It errs high on rare words such as
 * made-up triggers, which is the safe side for a length warning.
 */
export function estimateClipTokens(text: string): number {
  let tokens = 0;
  for (const [piece] of text.toLowerCase().matchAll(/'(?:s|t|re|ve|m|ll|d)|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/gu)) {
    if (/^\p{L}/u.test(piece)) {
      tokens += piece.length <= 10 ? 1 : Math.ceil(piece.length / 7);
    } else if (/^\p{N}/u.test(piece) || piece.startsWith("'")) {
      tokens += 1;
    } else {
      tokens += piece.length;
    }
  }
  return tokens;
}

/** Where `word` starts in `text` as a whole word (case-insensitive), or -1. `plural` also finds "women". */
function findWord(text: string, word: string, plural = false): number {
  const body = escapeRegExp(word);
  const forms = plural && /man$/i.test(word) ? `${body}|${escapeRegExp(word.replace(/man$/i, 'men'))}` : plural ? `${body}s?` : body;
  const match = new RegExp(`(?<![\\p{L}\\p{N}])(?:${forms})(?![\\p{L}\\p{N}])`, 'iu').exec(text);
  return match ? match.index : -1;
}

function matches(text: string, patterns: readonly RegExp[]): string[] {
  const found = new Set<string>();
  for (const pattern of patterns) {
    for (const match of text.matchAll(new RegExp(pattern.source, 'gi'))) {
      found.add(match[0].toLowerCase());
    }
  }
  return [...found];
}

const PERSON = String.raw`(?:man|woman|men|women|person|people|girl|boy|guy|lady|gentleman|male|female|\[trigger\])`;
const NATIONALITY = String.raw`(?:african|american|arab|brazilian|british|chinese|english|european|french|german|greek|indian|irish|italian|japanese|korean|mexican|nigerian|persian|russian|scandinavian|spanish|swedish|turkish|vietnamese)`;

/**
 * The identity itself. Eye colour, face shape, skin tone and ethnicity are what the LoRA must
 * learn as the person, so a caption that names them teaches that they can change. Nationality
 * words only next to a person ("a Japanese woman"), since "a French café" is a setting.
 */
const IDENTITY_PATTERNS: readonly RegExp[] = [
  /\b(?:blue|green|brown|hazel|grey|gray|amber|dark|light|black)[- ](?:eyes|eyed)\b/,
  /\b(?:round|oval|square|heart[- ]shaped|long|narrow|angular|diamond)[- ]fac(?:e|ed)\b|\b(?:square|strong|sharp|chiselled|chiseled) jaw(?:line)?\b|\bhigh cheekbones\b/,
  /\b(?:pale|fair|dark|light|olive|tan|tanned|brown|porcelain|ebony|freckled)[- ](?:skin|skinned|complexion)\b|\bskin tone\b/,
  /\b(?:asian|caucasian|hispanic|latina|latino|latinx|biracial|mixed[- ]race|ethnicity)\b/,
  new RegExp(String.raw`\b(?:${NATIONALITY}|white|black)[- ]${PERSON}`),
];

/**
 * Hair colour, a finding of its own and only informative: it is part of most people's identity,
 * but a set may change it on purpose (a dyed look, a costume), and then naming it is right.
 */
const HAIR_COLOUR = /\b(?:blonde?|brunette|redhead|ginger|(?:black|brown|red|grey|gray|white|auburn|platinum|silver|golden|dark|light)[- ]hair(?:ed)?)\b/;

const MEDIUM_WORDS: Partial<Record<Category, RegExp>> = {
  bw_stylized:
    /\b(?:black[- ]and[- ]white|b&w|monochrom(?:e|atic)|gr[ae]yscale|ink|pencil|charcoal|graphite|sketch|drawing|etching|engraving|woodcut|linocut|halftone|lithograph|noir|sepia|duotone|stencil|manga|screen ?print)\b/i,
  color_stylized:
    /\b(?:illustration|painting|painted|watercolou?r|oil|acrylic|gouache|pastel|digital art|concept art|anime|cartoon|comic|pop art|pixel art|render|rendered|cel[- ]shaded|vector|poster|ukiyo-e|impressionist|graffiti|mural|stained glass|collage|drawing|sketch|crayon|colou?red pencil)\b/i,
};

const MEDIUM_EXAMPLES: Partial<Record<Category, string>> = {
  bw_stylized: 'black-and-white ink drawing',
  color_stylized: 'watercolor illustration',
};

export interface ImageCaptionReport {
  filename: string;
  category: Category;
  caption: string;
  source: CaptionSource;
  findings: CaptionFinding[];
}

/** The caption options an actor's report uses: the export's defaults unless given. */
export interface CaptionReportOptions {
  trigger?: string;
  classWord?: string;
  maxTokens?: number;
}

/**
 * Each image of an actor whose caption can be stored, with its caption, source and findings. The
 * trigger defaults to the actor id and the class word to its descriptor, as the export's do.
 */
export function actorCaptionReport(actor: ActorRecord, options: CaptionReportOptions = {}): ImageCaptionReport[] {
  return captionSubjects(actor).map(({ image }) => imageCaptionReport(actor, image, options));
}

/** One image's caption, source and findings (see actorCaptionReport). */
export function imageCaptionReport(actor: ActorRecord, image: ActorImage, options: CaptionReportOptions = {}): ImageCaptionReport {
  const descriptor = String(actor.info.descriptor);
  const { text, source } = imageCaption(image, descriptor);
  const findings = lintCaption(text, {
    trigger: options.trigger ?? actor.id,
    classWord: options.classWord ?? descriptor,
    category: image.category,
    maxTokens: options.maxTokens,
  });
  return { filename: image.filename, category: image.category, caption: text, source, findings };
}
