import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captionOf, encodeCaption } from '../../../src/lib/shapes-world/caption.ts';
import { LABEL_FIELDS, sceneGeometry, sceneLabels } from '../../../src/lib/shapes-world/labels.ts';
import { renderSceneBytes } from '../../../src/lib/shapes-world/render.ts';
import { sampleScene } from '../../../src/lib/shapes-world/scene.ts';
import { vocabulary } from '../../../src/lib/shapes-world/vocabulary.ts';

const outDir = mkdtempSync(join(tmpdir(), 'shapes-world-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('write-dataset (npm run models:data)', () => {
  it('writes the documented files, which reproduce the generator scene by scene', () => {
    const count = 300;
    const seedStart = 4000;
    execFileSync(
      process.execPath,
      [
        'scripts/run-ts.mjs',
        'scripts/shapes-world/write-dataset.ts',
        '--split',
        'train',
        '--start',
        `${seedStart}`,
        '--count',
        `${count}`,
        '--name',
        't',
        '--out',
        outDir,
      ],
      { stdio: 'pipe' },
    );
    const dir = join(outDir, 't');
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    const vocabularyBytes = readFileSync('models/shapes-world/vocabulary.json');
    expect(meta).toMatchObject({
      format: 'shapes-world-dataset',
      formatVersion: 1,
      count,
      split: 'train',
      seedStart,
      byteOrder: 'little',
      labelFields: [...LABEL_FIELDS],
      vocabularyVersion: vocabulary.version,
      vocabularySha256: createHash('sha256').update(vocabularyBytes).digest('hex'),
    });
    expect(meta.files['images.u8'].shape).toEqual([count, 3, 32, 32]);
    expect(meta.scenesPerSecond).toBeGreaterThan(0);

    const L = vocabulary.tokens.maxLength;
    const K = LABEL_FIELDS.length;
    const bytes = (name: string) => readFileSync(join(dir, name));
    const images = new Uint8Array(bytes('images.u8'));
    const tokensBuffer = bytes('tokens.i32');
    const labelsBuffer = bytes('labels.i32');
    const geometryBuffer = bytes('geometry.f32');
    expect(images.length).toBe(count * 3 * 32 * 32);
    expect(tokensBuffer.length).toBe(count * L * 4);
    expect(labelsBuffer.length).toBe(count * K * 4);
    expect(geometryBuffer.length).toBe(count * 6 * 4);
    const captions = bytes('captions.txt').toString('utf8').split('\n');
    expect(captions).toHaveLength(count + 1);
    expect(captions[count]).toBe('');

    for (let i = 0; i < count; i++) {
      const scene = sampleScene(seedStart + i, 'train');
      expect(captions[i]).toBe(captionOf(scene));
      expect(images.subarray(i * 3072, (i + 1) * 3072)).toEqual(renderSceneBytes(scene));
      // Explicit little-endian reads, as numpy's "<i4" / "<f4" would do.
      const tokens = Array.from({ length: L }, (_, j) => tokensBuffer.readInt32LE((i * L + j) * 4));
      expect(tokens).toEqual(Array.from(encodeCaption(captions[i]!)));
      const labels = Array.from({ length: K }, (_, j) => labelsBuffer.readInt32LE((i * K + j) * 4));
      expect(labels).toEqual(Array.from(sceneLabels(scene)));
      const geometry = Array.from({ length: 6 }, (_, j) => geometryBuffer.readFloatLE((i * 6 + j) * 4));
      expect(geometry).toEqual(Array.from(sceneGeometry(scene)));
      expect(labels[LABEL_FIELDS.indexOf('heldOut')]).toBe(0);
    }
  }, 30_000);
});
