// Draws the scrubber's bundled sample image: a 64×64 pictogram (house, sun, hill) with flat
// colour regions and sharp edges, so noise visibly destroys edges first and flat areas last.
// Run: node scripts/make-sample-image.mjs  (Node ≥ 22.18 strips the types of the imported .ts)
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { encodePng } from '../src/lib/image/png.ts';

const SIZE = 64;
const SUPERSAMPLE = 4;

const SKY = [135, 196, 235];
const SUN = [250, 204, 21];
const HILL = [46, 139, 87];
const WALL = [214, 64, 52];
const ROOF = [74, 44, 42];
const WINDOW = [245, 245, 240];
const DOOR = [120, 72, 32];

/** Colour at a point in [0, 64)²; later shapes are drawn over earlier ones. */
function colourAt(x, y) {
  let colour = SKY;
  if ((x - 48) ** 2 + (y - 14) ** 2 <= 8 ** 2) colour = SUN;
  // A hill: the region under a wide parabola.
  if (y >= 46 + ((x - 24) / 40) ** 2 * 10) colour = HILL;
  if (x >= 12 && x < 36 && y >= 30 && y < 52) colour = WALL;
  // Roof: triangle with apex (24, 16) over the wall's full width plus eaves.
  if (y >= 16 && y < 30 && Math.abs(x - 24) <= ((y - 16) / 14) * 15) colour = ROOF;
  if (x >= 16 && x < 23 && y >= 35 && y < 42) colour = WINDOW;
  if (x >= 26 && x < 32 && y >= 40 && y < 52) colour = DOOR;
  return colour;
}

const rgba = new Uint8Array(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0];
    for (let sy = 0; sy < SUPERSAMPLE; sy++) {
      for (let sx = 0; sx < SUPERSAMPLE; sx++) {
        const c = colourAt(x + (sx + 0.5) / SUPERSAMPLE, y + (sy + 0.5) / SUPERSAMPLE);
        for (let k = 0; k < 3; k++) sum[k] += c[k];
      }
    }
    for (let k = 0; k < 3; k++) rgba[(y * SIZE + x) * 4 + k] = Math.round(sum[k] / SUPERSAMPLE ** 2);
    rgba[(y * SIZE + x) * 4 + 3] = 255;
  }
}

mkdirSync(new URL('../public/images/', import.meta.url), { recursive: true });
const png = encodePng(rgba, SIZE, SIZE, (data) => new Uint8Array(deflateSync(data, { level: 9 })));
writeFileSync(new URL('../public/images/forward-noise-sample.png', import.meta.url), png);
console.log(`wrote public/images/forward-noise-sample.png (${png.length} bytes)`);
