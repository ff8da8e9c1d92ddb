import type { PromptDefinition } from './types';

/**
 * The built-in prompt library: 15 photorealistic, 11 black-and-white stylized and 9 colour
 * stylized prompts for an image-editing model that receives the actor's base image.
 *
 * Every prompt asks for what makes a good identity-LoRA training image: a dynamic camera angle
 * (dutch, low, high or over-the-shoulder), off-centre framing, the subject looking away from the
 * camera (so the set does not teach one frontal stare), cinematic quality, and the person's
 * identity kept from the input image. Settings, light and lenses vary so the LoRA learns the
 * face, not a background. Ids are stable: manifests record them as `prompt_id`.
 */

/** The subject's word ("man", "woman", "person"); see fillPrompt. */
const SUBJECT = 'the {descriptor} from the input image';

const KEEP_IDENTITY_PHOTO = "Keep the {descriptor}'s identity exactly as in the input image: the same face, facial features, skin tone and hairstyle.";
const KEEP_IDENTITY_STYLIZED =
  "Keep the {descriptor}'s identity from the input image: the same face shape and facial features, clearly recognisable in this style.";
const STRICTLY_MONOCHROME = 'Strictly monochrome: no colour and no tint anywhere.';

function photo(id: string, label: string, scene: string): PromptDefinition {
  return {
    id,
    label,
    category: 'photorealistic',
    template: `Cinematic photorealistic film still of ${SUBJECT} ${scene} ${KEEP_IDENTITY_PHOTO}`,
  };
}

function blackAndWhite(id: string, label: string, description: string): PromptDefinition {
  return { id, label, category: 'bw_stylized', template: `${description} ${STRICTLY_MONOCHROME} ${KEEP_IDENTITY_STYLIZED}` };
}

function colour(id: string, label: string, description: string): PromptDefinition {
  return { id, label, category: 'color_stylized', template: `${description} ${KEEP_IDENTITY_STYLIZED}` };
}

const PHOTOREALISTIC: PromptDefinition[] = [
  photo(
    'photo_rain_street_run',
    'Rain-Slick Street Run',
    'sprinting across a rain-slick city street at night, low camera angle from the kerb, off-centre framing with the {descriptor} on the left third, looking away from the camera toward a passing tram, neon signs mirrored in the wet asphalt, rain streaks caught in sodium street light, 35mm lens, shallow depth of field.',
  ),
  photo(
    'photo_foggy_harbor',
    'Foggy Harbour at Dawn',
    'standing at the end of a weathered harbour pier at dawn, high camera angle looking down past coiled ropes, off-centre framing with the {descriptor} on the right third, looking away from the camera toward fishing boats fading into thick fog, cold blue light, muted palette, 50mm lens.',
  ),
  photo(
    'photo_golden_hour_rooftop',
    'Golden Hour Rooftop',
    'on a city rooftop at golden hour, dutch angle, off-centre framing with the {descriptor} on the right third against old water towers, looking away from the camera over the skyline, wind moving clothes and hair, warm backlight with soft lens flare, 85mm lens, creamy background blur.',
  ),
  photo(
    'photo_library_window',
    'Library Window Light',
    'reading beside a tall arched window in an old library, over-the-shoulder shot past a stack of leather-bound books, off-centre framing, the {descriptor} looking away from the camera out of the window, soft side light, dust motes drifting in the sunbeam, muted browns and greens, 40mm lens.',
  ),
  photo(
    'photo_mountain_trail',
    'Mountain Ridge Trail',
    'pausing on a narrow mountain ridge trail in late afternoon, high camera angle from the slope above, off-centre framing with the {descriptor} on the lower left third, looking away from the camera across the valley, warm rim light, long shadows, clouds drifting below the peaks, 24mm wide lens.',
  ),
  photo(
    'photo_neon_night_market',
    'Neon Night Market',
    'weaving through a crowded night market, over-the-shoulder shot from behind a vendor, off-centre framing, the {descriptor} looking away from the camera at a steaming food stall, teal and magenta neon, paper lanterns, light haze of cooking smoke, 40mm anamorphic lens with oval bokeh.',
  ),
  photo(
    'photo_desert_highway',
    'Desert Highway',
    'leaning against a dusty car on an empty desert highway, low camera angle from the asphalt, off-centre framing with the {descriptor} on the left third, looking away from the camera toward the heat-shimmering horizon, harsh midday sun, hard shadows, dust in the air, 28mm lens, bleached warm tones.',
  ),
  photo(
    'photo_subway_platform',
    'Subway Platform',
    'waiting on a tiled subway platform as a train rushes in, dutch angle, off-centre framing with the {descriptor} on the right third, looking away from the camera down the dark tunnel, motion blur on the passing carriages, flickering fluorescent light with a green cast, 35mm lens.',
  ),
  photo(
    'photo_diner_booth',
    'Late-Night Diner Booth',
    'sitting alone in a late-night diner booth, high camera angle from over the counter, off-centre framing with the {descriptor} on the left third, looking away from the camera through the rain-beaded window, red neon glow mixing with warm tungsten light, a half-empty coffee cup, 50mm lens, fine film grain.',
  ),
  photo(
    'photo_snowy_forest',
    'Snowy Forest Clearing',
    'walking through a snowy pine forest clearing, low camera angle through falling snowflakes, off-centre framing with the {descriptor} on the right third, looking away from the camera toward a distant cabin light, breath visible in the cold air, overcast blue daylight, 85mm lens, soft background blur.',
  ),
  photo(
    'photo_ferry_deck',
    'Windy Ferry Deck',
    'gripping the railing of a ferry deck on a grey, windy crossing, dutch angle, off-centre framing with the {descriptor} on the left third, looking away from the camera at gulls wheeling over the wake, sea spray, overcast diffuse light, desaturated teal palette, 35mm lens.',
  ),
  photo(
    'photo_greenhouse_morning',
    'Greenhouse Morning Haze',
    'among hanging ferns in a Victorian glass greenhouse, over-the-shoulder shot through the leaves, off-centre framing, the {descriptor} looking away from the camera toward misted panes, morning sun cutting through humid haze in visible rays, lush greens, 50mm lens, gentle diffusion.',
  ),
  photo(
    'photo_jazz_club',
    'Smoky Jazz Club',
    'at the bar of a smoky basement jazz club, low camera angle from a table in the foreground, off-centre framing with the {descriptor} on the right third, looking away from the camera toward the band on stage, amber spotlight cutting through haze, deep shadows, glints on brass, 40mm lens.',
  ),
  photo(
    'photo_laundromat_midnight',
    'Laundromat at Midnight',
    'waiting in an empty laundromat at midnight, high camera angle from a corner of the ceiling, off-centre framing with the {descriptor} on the left third, looking away from the camera at a spinning dryer, cool fluorescent light against the warm glow of a vending machine, 28mm lens, quiet stillness.',
  ),
  photo(
    'photo_coastal_cliff_storm',
    'Coastal Cliff Storm',
    'standing near the edge of a grassy coastal cliff as a storm rolls in, dutch angle, off-centre framing with the {descriptor} on the right third, looking away from the camera toward waves breaking far below, wind-bent grass, slate-grey sky with a single break of sunlight, 24mm lens.',
  ),
];

const BLACK_AND_WHITE: PromptDefinition[] = [
  blackAndWhite(
    'bw_pen_and_ink',
    'Pen and Ink',
    `Black-and-white pen-and-ink illustration of ${SUBJECT} crossing a busy railway station concourse, confident black contour lines and dense cross-hatching on white paper, dramatic low angle, off-centre composition with the {descriptor} on the left third, looking away from the viewer toward the departures board, cinematic staging, no grey wash.`,
  ),
  blackAndWhite(
    'bw_charcoal_sketch',
    'Charcoal Sketch',
    `Black-and-white charcoal sketch of ${SUBJECT} leaning in a doorway on a windy evening, deep smudged blacks, lifted highlights and loose gestural strokes on textured paper, dutch angle, off-centre composition, the {descriptor} looking away from the viewer down the empty street, cinematic chiaroscuro lighting.`,
  ),
  blackAndWhite(
    'bw_linocut',
    'Linocut Print',
    `Black-and-white linocut print of ${SUBJECT} rowing a small boat across a choppy lake, bold carved shapes, gouged wave patterns and solid black masses, high angle from above the water, off-centre composition, the {descriptor} looking away from the viewer toward the far shore, cinematic graphic contrast, pure black ink on white, no greys.`,
  ),
  blackAndWhite(
    'bw_woodcut',
    'Woodcut',
    `Black-and-white woodcut of ${SUBJECT} walking through a cobbled market square, visible wood grain, rhythmic parallel gouges and heavy black silhouettes, over-the-shoulder view past a market stall, off-centre composition, the {descriptor} looking away from the viewer toward a distant clock tower, cinematic depth, black ink on white paper.`,
  ),
  blackAndWhite(
    'bw_manga',
    'Manga Panel',
    `Black-and-white manga panel of ${SUBJECT} on a windswept apartment balcony as blossom petals blow past, clean inked line art, screentone shading and dramatic speed lines, dutch angle, off-centre panel composition, the {descriptor} looking away from the viewer toward the city lights, cinematic storyboard energy.`,
  ),
  blackAndWhite(
    'bw_etching',
    'Copperplate Etching',
    `Black-and-white copperplate etching of ${SUBJECT} standing on a foggy stone bridge at night, fine engraved lines, delicate cross-hatching and rich aquatint blacks, low angle from the riverbank, off-centre composition, the {descriptor} looking away from the viewer toward gas lamps along the river, cinematic nineteenth-century atmosphere.`,
  ),
  blackAndWhite(
    'bw_graphite',
    'Graphite Study',
    `Black-and-white graphite pencil study of ${SUBJECT} sitting on the steps of a concert hall, smooth tonal blending from silver greys to deep soft-lead blacks, crisp detail in the face, high angle, off-centre composition, the {descriptor} looking away from the viewer at passers-by, cinematic soft light, fine paper grain.`,
  ),
  blackAndWhite(
    'bw_ink_wash',
    'Ink Wash (Sumi-e)',
    `Black-and-white sumi-e ink wash painting of ${SUBJECT} standing under a pine on a misty mountain path, expressive brushstrokes, graded grey washes and deliberate empty space, low angle, off-centre composition, the {descriptor} looking away from the viewer into the mist, cinematic stillness, black ink on white rice paper.`,
  ),
  blackAndWhite(
    'bw_noir_graphic_novel',
    'Noir Graphic Novel',
    `Black-and-white noir graphic novel panel of ${SUBJECT} under a streetlamp in a rain-lashed alley, stark high-contrast inking, solid black shadows, slashes of light from venetian blinds across the wall, over-the-shoulder view, off-centre composition, the {descriptor} looking away from the viewer down the alley, cinematic hard-boiled mood, no greys.`,
  ),
  blackAndWhite(
    'bw_scratchboard',
    'Scratchboard',
    `Black-and-white scratchboard illustration of ${SUBJECT} holding a lantern inside a dark cave, fine white lines scratched out of a black surface, hatching that follows every form, dutch angle, off-centre composition, the {descriptor} looking away from the viewer toward the bright cave mouth, cinematic single-source lighting.`,
  ),
  blackAndWhite(
    'bw_stipple',
    'Stipple Drawing',
    `Black-and-white stipple drawing of ${SUBJECT} on a sunlit park bench feeding pigeons, every tone built from thousands of fine ink dots, crisp white paper highlights, high angle from a nearby tree, off-centre composition, the {descriptor} looking away from the viewer at the birds, cinematic dappled light.`,
  ),
];

const COLOUR: PromptDefinition[] = [
  colour(
    'color_comic_book',
    'Comic Book',
    `Colour comic-book illustration of ${SUBJECT} leaping between rooftops at dusk, bold ink outlines, flat saturated colours, Ben-Day halftone shading and a glowing orange sky, dynamic low angle, off-centre panel composition, the {descriptor} looking away from the viewer toward the next rooftop, cinematic action framing.`,
  ),
  colour(
    'color_pop_art',
    'Pop Art Screen Print',
    `Colour pop-art screen print of ${SUBJECT} holding a ringing telephone, limited palette of navy, hot magenta and lemon yellow, bold black outlines, slightly misregistered colour layers, dutch angle, off-centre composition, the {descriptor} looking away from the viewer toward an open window, cinematic drama in a graphic 1960s style.`,
  ),
  colour(
    'color_watercolor',
    'Watercolour',
    `Colour watercolour painting of ${SUBJECT} cycling along a canal in spring, loose wet-in-wet washes, soft blooms of turquoise and rose, crisp dry-brush details and white paper left for highlights, high angle from a bridge, off-centre composition, the {descriptor} looking away from the viewer toward the houseboats, cinematic morning light.`,
  ),
  colour(
    'color_gouache',
    'Gouache',
    `Colour gouache illustration of ${SUBJECT} picking oranges in a sunny terraced grove, matte opaque brushwork, flat shapes of warm ochre, leaf green and sky blue, over-the-shoulder view through the branches, off-centre composition, the {descriptor} looking away from the viewer toward the sea below, cinematic mid-century storybook feel.`,
  ),
  colour(
    'color_digital_painting',
    'Digital Concept Painting',
    `Colour digital concept painting of ${SUBJECT} on a cliffside walkway of a futuristic city, painterly textured brushwork, glowing cyan signage against a violet dusk, volumetric light and atmospheric perspective, low angle, off-centre composition, the {descriptor} looking away from the viewer toward passing airships, cinematic matte-painting scale.`,
  ),
  colour(
    'color_art_nouveau_poster',
    'Art Nouveau Poster',
    `Colour Art Nouveau poster illustration of ${SUBJECT} in a flowering garden, flowing organic linework, an ornamental floral border, muted gold, sage and dusty rose palette, low angle, off-centre composition, the {descriptor} looking away from the viewer toward a fountain, cinematic theatrical lighting, lithograph finish.`,
  ),
  colour(
    'color_risograph',
    'Risograph Print',
    `Colour risograph print of ${SUBJECT} browsing a secondhand record shop, two inks of fluorescent pink and teal overlapping into deep blue, grainy texture and slight misregistration, high angle from the top of a shelf, off-centre composition, the {descriptor} looking away from the viewer at a record sleeve, cinematic indie-zine mood.`,
  ),
  colour(
    'color_cel_animation',
    'Cel-Shaded Animation',
    `Colour cel-shaded animated film still of ${SUBJECT} on a summer train beside an open window, clean line art, two-tone cel shading, a vivid painted background of fields and towering cumulus clouds, dutch angle, off-centre composition, the {descriptor} looking away from the viewer at the passing landscape, cinematic anime-feature lighting.`,
  ),
  colour(
    'color_oil_impasto',
    'Oil Painting (Impasto)',
    `Colour oil painting of ${SUBJECT} at a crowded harbour festival with lanterns and fireworks, thick impasto brushstrokes, rich saturated reds, golds and deep blues, visible canvas texture, over-the-shoulder view past the crowd, off-centre composition, the {descriptor} looking away from the viewer toward the fireworks, cinematic warm glow.`,
  ),
];

/** All built-in prompts in library order: photorealistic, then black-and-white, then colour. */
export const BUILTIN_PROMPTS: readonly PromptDefinition[] = Object.freeze(
  [...PHOTOREALISTIC, ...BLACK_AND_WHITE, ...COLOUR].map((prompt) => Object.freeze(prompt)),
);
