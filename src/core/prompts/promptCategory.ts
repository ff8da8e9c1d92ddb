// Pure (no Node APIs): also bundled into the Generator panel's page, which shows the guess as the text is typed.
import type { TrainingCategory } from '../manifest/categories';

/*
 * The category a free prompt text asks for, from its words. The order of the tests follows the
 * category rule (manifest/categories.ts): anything asked for in black and white is bw_stylized
 * (a grey photograph counts there too); then a photograph; then a drawing, print or painting,
 * which is black-and-white when its medium is (charcoal, woodcut, ...) and the text asks for no
 * colour, else colour stylized; then the weak hints of a film still. No hint at all: undefined,
 * and the caller asks for the category.
 */

const BLACK_AND_WHITE = /\b(black[\s-]*(and|&)[\s-]*white|b\s*&\s*w|monochrome|monochromatic|gr[ae]yscale)\b/;
const PHOTOGRAPH = /\b(photo|photos|photograph|photographs|photography|photographic|photorealistic|photo-realistic|photoreal|dslr)\b/;
const MONOCHROME_MEDIUM =
  /\b(charcoal|graphite|pencil|pen[\s-]*and[\s-]*ink|ink[\s-]*wash|sumi-e|linocut|woodcut|etching|engraving|scratchboard|stipple|stippling|manga|noir)\b/;
const STYLIZED =
  /\b(illustration|illustrated|drawing|drawn|sketch|painting|painted|painterly|watercolou?r|gouache|comic|comic-book|pop-art|cartoon|anime|cel-shaded|animated|animation|poster|print|risograph|screen[\s-]*print|art nouveau|impasto|concept art|vector art|pixel art)\b/;
const COLOUR = /\b(colou?r|colou?rs|colou?rful|vivid|saturated|pastel|palette)\b/;
const FILM_STILL = /\b(cinematic|film still|movie still|realistic|lens|bokeh|35mm)\b/;

/** The category a prompt text asks for, or undefined when its words do not say. */
export function categoryFromPromptText(text: string): TrainingCategory | undefined {
  const words = text.toLowerCase().replace(/\s+/g, ' ');
  if (BLACK_AND_WHITE.test(words)) {
    return 'bw_stylized';
  }
  if (PHOTOGRAPH.test(words)) {
    return 'photorealistic';
  }
  if (MONOCHROME_MEDIUM.test(words) && !COLOUR.test(words)) {
    return 'bw_stylized';
  }
  if (STYLIZED.test(words) || MONOCHROME_MEDIUM.test(words)) {
    return 'color_stylized';
  }
  return FILM_STILL.test(words) ? 'photorealistic' : undefined;
}
