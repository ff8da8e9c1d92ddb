// Writes resources/icon.png, the 128x128 marketplace icon, from the activity-bar glyph
// (resources/actor-studio.svg): the glyph in white on the gallery banner's colour.
// Usage: node scripts/make-icon.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const background = manifest.galleryBanner.color;
const glyph = fs
  .readFileSync(path.join(root, 'resources', 'actor-studio.svg'), 'utf8')
  .replace('stroke="currentColor"', 'stroke="#ffffff"')
  .replace(/width="24" height="24"/, 'width="96" height="96"');

const size = 128;
const tile = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" rx="24" fill="${background}"/></svg>`,
);
const out = path.join(root, manifest.icon);
await sharp(tile)
  .composite([{ input: Buffer.from(glyph), gravity: 'center' }])
  .png({ compressionLevel: 9 })
  .toFile(out);
console.log(`wrote ${path.relative(root, out)} (${size}x${size})`);
