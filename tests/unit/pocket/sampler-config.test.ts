// The widgets and `npm run models:eval` sample with src/lib/pocket/sampler-config.ts; the golden
// files record the configuration the PyTorch reference used. They must be the same, or the book
// would show a sampler the tests never checked.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBundle, parseGolden } from '../../../src/lib/pocket/fixtures.ts';
import { goldenSampler } from '../../../src/lib/pocket/golden.ts';
import { createPocketSampler, POCKET_SAMPLER_CONFIG, POCKET_SCHEDULE } from '../../../src/lib/pocket/sampler-config.ts';
import { DDIMSampler } from '../../../src/lib/samplers/index.ts';

const fixtures = new URL('../../../models/pocket/fixtures/', import.meta.url);

function golden(model: string) {
  const json = readFileSync(new URL(`${model}.golden.json`, fixtures), 'utf8');
  const bin = readFileSync(new URL(`${model}.golden.bin`, fixtures));
  return parseGolden(parseBundle(json, bin, model), model);
}

describe.each([
  ['shapes-unet', true],
  ['mixture2d-mlp', false],
])('%s golden file', (model, clipSample) => {
  const fixture = golden(model);

  it('was made with the pocket schedule and sampler configuration', () => {
    expect(fixture.schedule).toEqual(POCKET_SCHEDULE);
    const { name, setAlphaToOne, clipSample: clip, useClippedModelOutput, ...rest } = fixture.sampler;
    expect(name).toBe('ddim');
    expect(setAlphaToOne).toBe(true);
    expect(clip).toBe(clipSample);
    expect(rest).toEqual({
      timestepSpacing: POCKET_SAMPLER_CONFIG.timestepSpacing,
      stepsOffset: POCKET_SAMPLER_CONFIG.stepsOffset,
      clipSampleRange: POCKET_SAMPLER_CONFIG.clipSampleRange,
      predictionType: POCKET_SAMPLER_CONFIG.predictionType,
    });
    if (model === 'shapes-unet') expect(useClippedModelOutput).toBe(true);
  });

  it('createPocketSampler builds the sampler goldenSampler rebuilds from the file', () => {
    for (const goldenCase of fixture.cases.filter((c) => c.eta === 0)) {
      const fromFile = goldenSampler(fixture, goldenCase);
      const ours = createPocketSampler('ddim', goldenCase.numInferenceSteps, { clipSample });
      expect(ours).toBeInstanceOf(DDIMSampler);
      expect([...ours.timesteps]).toEqual([...fromFile.timesteps]);
      const d = ours as DDIMSampler;
      const f = fromFile as DDIMSampler;
      expect([d.useClippedModelOutput, d.finalAlphaCumprod, d.eta]).toEqual([
        f.useClippedModelOutput,
        f.finalAlphaCumprod,
        f.eta,
      ]);
      expect([...d.schedule.alphasCumprod]).toEqual([...f.schedule.alphasCumprod]);
    }
  });
});
