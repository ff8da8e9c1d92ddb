/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The Actor Gallery with the packaged extension, on an actor of 40 images (bench/galleryActor.ts):
// opened from the palette, filtered by category, three images selected with the arrow keys and
// Shift, rated with 4, moved to another category with C (Set Category's quick pick); the manifest
// is checked after each change, and each step leaves a screenshot.
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { writeGalleryActor } from '../../bench/galleryActor';
import { loadSharp } from '../../src/core/image/sharp';
import { repoRoot } from '../runners/util';
import { isSerious, runAxe, visiblePanelFrame, walkWithKeyboard } from './axe';
import { openActorStudio, runCommand, shot, Step, STEP_TIMEOUT_MS, until } from './stepRunner';

export const GALLERY_ACTOR = '0100_european_30_female';
const IMAGES = 40;

let workspaceDir = '';

/** Fills the copied sample workspace with the 40-image actor. */
export async function prepareGallery(workspace: string): Promise<void> {
  workspaceDir = workspace;
  await writeGalleryActor(path.join(workspace, 'data'), IMAGES, GALLERY_ACTOR);
}

const gallery = (page: Page): FrameLocator =>
  page.frameLocator('iframe.webview.ready[src*="extensionId=actor-studio.actor-studio"]').frameLocator('#active-frame');
const tiles = (page: Page) => gallery(page).locator('#grid .tile');
const selectedTiles = (page: Page) => gallery(page).locator('#grid .tile[aria-selected="true"]');

interface Entry {
  filename: string;
  category: string;
  category_source?: string;
  rating?: { stars: number } | null;
}

function manifest(): Entry[] {
  const file = path.join(workspaceDir, 'data', 'actors', GALLERY_ACTOR, 'training_data', 'manifest.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { images: Entry[] }).images;
}

/** The file names of the selected tiles, in grid order. */
const selectedNames = (page: Page) => selectedTiles(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-filename') ?? ''));

/** Waits until every tile in view shows its thumbnail (or its placeholder). */
async function thumbnailsShown(page: Page): Promise<void> {
  await until('the thumbnails in view to show', async () => {
    const { inView, shown } = await gallery(page)
      .locator('#grid')
      .evaluate((grid) => {
        const tilesInView = [...grid.querySelectorAll('.tile')].filter((tile) => {
          const box = tile.getBoundingClientRect();
          return box.bottom > 0 && box.top < window.innerHeight;
        });
        return { inView: tilesInView.length, shown: tilesInView.filter((tile) => tile.hasAttribute('data-thumbnail')).length };
      });
    return inView > 0 && shown === inView;
  });
}

/** Opens a vscode-single-select of the gallery and clicks the option with this label. */
async function choose(page: Page, selectId: string, label: string): Promise<void> {
  const select = gallery(page).locator(`#${selectId}`);
  await select.click();
  const option = select.getByRole('option', { name: label, exact: true });
  await option.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await option.first().click();
}

let chosen: string[] = [];

export const gallerySteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: '"Actor Studio: Open Gallery" shows the actor: 40 tiles with thumbnails, badges, the base image and the counts against the targets',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Open Gallery');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: GALLERY_ACTOR }).first();
      await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.locator('.quick-input-widget input').fill(GALLERY_ACTOR);
      await page.keyboard.press('Enter');
      await gallery(page).locator('#gallery-title', { hasText: GALLERY_ACTOR }).waitFor({ state: 'visible', timeout: 60_000 });
      await until('40 tiles', async () => (await tiles(page).count()) === IMAGES);
      await thumbnailsShown(page);
      await gallery(page).locator('#base-image img').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      const counts = await gallery(page).locator('#counts').innerText();
      if (!/Photorealistic\s+\d+\/13/.test(counts)) throw new Error(`no count against the target: ${counts}`);
      for (const badge of ['plan: delete', 'needs review', 'blurry']) {
        await gallery(page).locator('.badge', { hasText: badge }).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      }
      await page.mouse.move(900, 20);
      await page.screenshot({ path: shot('e2e-gallery-open.png') });
      // The README's picture (shipped in the .vsix): a palette PNG, a third of the size.
      const sharp = await loadSharp();
      await sharp(shot('e2e-gallery-open.png'))
        .png({ palette: true, quality: 90 })
        .toFile(path.join(repoRoot, 'docs', 'screenshots', 'gallery.png'));
    },
  },
  {
    name: 'axe-core finds no serious or critical violation; Tab reaches every control with a visible focus',
    run: async (page) => {
      const frame = await visiblePanelFrame(page);
      const violations = await runAxe(frame);
      console.log(
        `    axe: ${violations.filter(isSerious).length} serious/critical, ${violations.length} in all (${violations.map((each) => each.id).join(', ') || 'none'})`,
      );
      const serious = violations.filter(isSerious);
      if (serious.length > 0) throw new Error(serious.map((each) => `${each.id} (${each.impact}): ${each.help} at ${each.nodes.join(', ')}`).join('\n'));
      const walk = await walkWithKeyboard(page, frame);
      const problems = [...walk.unreached.map((each) => `not reached by Tab: ${each}`), ...walk.invisibleFocus.map((each) => `no visible focus: ${each}`)];
      if (problems.length > 0) throw new Error(problems.join('\n'));
    },
  },
  {
    name: 'the category filter leaves only B&W stylized images',
    run: async (page) => {
      const expected = manifest().filter((entry) => entry.category === 'bw_stylized').length;
      await choose(page, 'filter-category', 'B&W stylized');
      await until(`${expected} tiles`, async () => (await tiles(page).count()) === expected);
      const categories = await tiles(page).evaluateAll((elements) => elements.map((element) => element.className));
      if (!categories.every((name) => name.includes('category-bw_stylized'))) throw new Error(`other categories shown: ${categories.join(', ')}`);
      await thumbnailsShown(page);
      await page.screenshot({ path: shot('e2e-gallery-filtered.png') });
    },
  },
  {
    name: 'a click, then Shift+ArrowRight twice, selects three images; 4 rates all three in their manifest',
    run: async (page) => {
      await tiles(page).first().click();
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await until('three tiles selected', async () => (await selectedTiles(page).count()) === 3);
      chosen = await selectedNames(page);
      await page.keyboard.press('4');
      await until('the manifest to rate the three 4 stars', async () =>
        chosen.every((name) => manifest().find((entry) => entry.filename === name)?.rating?.stars === 4),
      );
      await until('the tiles to show four stars', async () => (await selectedTiles(page).filter({ hasText: '★★★★☆' }).count()) === 3);
      await page.screenshot({ path: shot('e2e-gallery-rated.png') });
    },
  },
  {
    name: "C opens Set Category for the three; Colour stylized moves them out of the B&W filter and into the manifest as the user's",
    run: async (page) => {
      const before = await tiles(page).count();
      await gallery(page).locator('#grid').press('c');
      await page.locator('.quick-input-widget', { hasText: 'Set the category of 3 images' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-gallery-category-pick.png') });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Colour stylized' }).first().click();
      await until('the manifest to record the category', async () =>
        chosen.every((name) => {
          const entry = manifest().find((each) => each.filename === name);
          return entry?.category === 'color_stylized' && entry.category_source === 'user';
        }),
      );
      await until('the three to leave the filtered grid', async () => (await tiles(page).count()) === before - 3);
      await page.screenshot({ path: shot('e2e-gallery-category-set.png') });
    },
  },
  {
    name: 'a change made elsewhere while a filter list is open updates the grid and leaves the list open',
    run: async (page) => {
      // The category list: its options are rebuilt from every state (the categories it counts), unlike the rating list's.
      const select = gallery(page).locator('#filter-category');
      await select.click();
      const option = select.getByRole('option', { name: 'All categories', exact: true }).first();
      await option.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      const painted = () => gallery(page).locator('#grid').getAttribute('data-painted');
      const before = await painted();
      // A hand edit of the manifest: a rating on the first image, so the new state differs.
      const file = path.join(workspaceDir, 'data', 'actors', GALLERY_ACTOR, 'training_data', 'manifest.json');
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { images: Entry[] };
      data.images[0].rating = { stars: 2 };
      fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
      await until('the grid to take the new state', async () => (await painted()) !== before);
      if (!(await option.isVisible())) throw new Error('the open filter list closed when the state came');
      await option.click();
    },
  },
  {
    name: 'Space compares the focused image with the base image side by side; Escape closes it',
    run: async (page) => {
      await until('40 tiles again', async () => (await tiles(page).count()) === IMAGES);
      await tiles(page).nth(1).click();
      await page.keyboard.press('Space');
      const overlay = gallery(page).locator('#compare-view');
      await overlay.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await until('both images in the comparison', async () => (await overlay.locator('img').count()) === 2);
      await page.screenshot({ path: shot('e2e-gallery-compare.png') });
      await page.keyboard.press('Escape');
      await overlay.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
    },
  },
];
