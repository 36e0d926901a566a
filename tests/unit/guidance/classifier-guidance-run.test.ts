// Classifier guidance over the real UNet and noisy-classifier gradient graph. The classifier is a
// random-weight placeholder until the trained export lands (same contract), so nothing here
// depends on what it outputs — only on how the run is assembled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vocabulary } from '../../../src/lib/shapes-world/vocabulary';
import { TextToImageRun } from '../../../src/lib/pocket/text-to-image';
import {
  CLASSIFIER_CLASSES,
  classifierLabel,
  classifierVerdicts,
  describeLabel,
  IMAGE_SIZE,
  sampleClassifierGuided,
  verdictsFromLogits,
} from '../../../src/lib/pocket/classifier-guidance-run';
import { openPocketModel, type PocketModel } from './pocket-runner';

let unet: PocketModel;
let classifier: PocketModel;
beforeAll(async () => {
  [unet, classifier] = await Promise.all([
    openPocketModel('shapes-unet.onnx'),
    openPocketModel('shapes-noisy-classifier-grad.onnx'),
  ]);
});
afterAll(async () => {
  await unet?.close();
  await classifier?.close();
});

describe('labels', () => {
  it('y = colour × 4 + shape covers the 24 classes once, and reads back as words', () => {
    expect(CLASSIFIER_CLASSES).toBe(24);
    const seen = new Set<number>();
    vocabulary.colours.forEach((c, ci) =>
      vocabulary.shapes.forEach((s, si) => {
        const y = classifierLabel(ci, si);
        seen.add(y);
        expect(describeLabel(y)).toBe(`${c.name} ${s.name}`);
      }),
    );
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(classifierLabel(2, 3)).toBe(11);
    expect(() => classifierLabel(6, 0)).toThrow(/colour/);
  });

  it('verdicts are the softmax of each row', () => {
    const logits = Float32Array.from([0, Math.log(3), 0, 5, 5, 5]);
    const [a, b] = verdictsFromLogits(logits, 2, 1);
    expect(a!.probability).toBeCloseTo(0.6, 6); // 3 / (1 + 3 + 1)
    expect(a!.top).toBe(1);
    expect(b!.probability).toBeCloseTo(1 / 3, 6);
    expect(() => verdictsFromLogits(logits, 2, 3)).toThrow();
  });
});

describe('guided sampling over the ONNX files', () => {
  const base = { y: classifierLabel(0, 0), sampler: 'ddim' as const, steps: 2, seed: 4, samples: 1 };

  it('s = 0 is exactly the unguided unconditional model (the text-to-image core with no caption); two calls per step', async () => {
    for (const sampler of ['ddim', 'ddpm'] as const) {
      const unetBefore = unet.calls();
      const classifierBefore = classifier.calls();
      const guided = await sampleClassifierGuided(unet.run, classifier.run, { ...base, sampler, scale: 0 });
      expect(unet.calls() - unetBefore).toBe(2);
      expect(classifier.calls() - classifierBefore).toBe(2);
      const plain = new TextToImageRun(unet.run, {
        caption: '',
        weight: 0,
        sampler,
        steps: 2,
        seed: base.seed,
        samples: 1,
      });
      await plain.runToEnd();
      expect(Array.from(guided.sample)).toEqual(Array.from(plain.latest));
      if (sampler === 'ddim') {
        const pushed = await sampleClassifierGuided(unet.run, classifier.run, { ...base, scale: 10 });
        expect(Array.from(pushed.sample)).not.toEqual(Array.from(plain.latest));
      }
    }
  });

  it('the verdict on finished samples is a probability per sample', async () => {
    const { sample } = await sampleClassifierGuided(unet.run, classifier.run, { ...base, samples: 2, scale: 3 });
    expect(sample).toHaveLength(2 * IMAGE_SIZE);
    const verdicts = await classifierVerdicts(classifier.run, sample, base.y);
    expect(verdicts).toHaveLength(2);
    for (const v of verdicts) {
      expect(v.probability).toBeGreaterThanOrEqual(0);
      expect(v.probability).toBeLessThanOrEqual(v.topProbability);
      expect(v.topProbability).toBeLessThanOrEqual(1);
      expect(v.topProbability).toBeGreaterThanOrEqual(1 / 24);
    }
  });
});
