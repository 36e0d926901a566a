// URL state of the three guidance widgets: defaults, clamping, cross-field fix-ups, and the note
// that tells the reader which parameters of a link were not used as written.
import { describe, expect, it } from 'vitest';
import { guidance2dUrl } from '../../../src/widgets/guidance2d/url';
import { classifierGuidanceUrl } from '../../../src/widgets/classifier-guidance/url';
import { CAPTIONS, fidelityDiversityUrl, maskOf, weightsOf } from '../../../src/widgets/fidelity-diversity/url';
import { invalidUrlKeys, urlNote } from '../../../src/widgets/ui/url-notes';
import { isHeldOut, parseCaption } from '../../../src/lib/shapes-world';

describe('g2.', () => {
  it('reads, clamps and writes', () => {
    expect(guidance2dUrl.read('')).toMatchObject({ cls: 1, w: 3, sampler: 'ddim', compare: true });
    expect(guidance2dUrl.read('?g2.w=-7&g2.cls=9&g2.steps=20&g2.step=200')).toMatchObject({
      w: -1,
      cls: 3,
      steps: 20,
      step: 20,
    });
    const search = guidance2dUrl.write({ ...guidance2dUrl.defaults(), w: 1.5, compare: false }, '?x=1');
    expect(new URLSearchParams(search).get('g2.w')).toBe('1.5');
    expect(new URLSearchParams(search).get('g2.compare')).toBe('0');
    expect(new URLSearchParams(search).get('x')).toBe('1');
  });
});

describe('cg.', () => {
  it('snaps the sample count to a square grid and the step to the run', () => {
    expect(classifierGuidanceUrl.read('?cg.n=7').n).toBe(9);
    expect(classifierGuidanceUrl.read('?cg.n=2').n).toBe(1);
    expect(classifierGuidanceUrl.read('?cg.steps=10').step).toBe(10);
    expect(classifierGuidanceUrl.read('?cg.s=25&cg.colour=-1')).toMatchObject({ s: 20, colour: 0 });
  });
});

describe('fd.', () => {
  it('offers only held-out evaluation captions', () => {
    expect(CAPTIONS.length).toBeGreaterThan(0);
    for (const caption of CAPTIONS) {
      const parsed = parseCaption(caption);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(isHeldOut(parsed.attributes)).toBe(true);
    }
    expect(fidelityDiversityUrl.read('?fd.caption=a+blue+cube').caption).toBe(CAPTIONS[0]);
  });

  it('weights round-trip through the bit mask; the default is 0, 1, 3, 7', () => {
    expect(weightsOf(fidelityDiversityUrl.defaults().ws)).toEqual([0, 1, 3, 7]);
    expect(weightsOf(maskOf([10, 0.5]))).toEqual([0.5, 10]);
    expect(fidelityDiversityUrl.read('?fd.ws=0').ws).toBe(1);
  });
});

describe('urlNote', () => {
  it('names exactly the parameters that were not used as written', () => {
    expect(invalidUrlKeys(guidance2dUrl, '?g2.w=3.0&g2.compare=true&g2.cls=2&g2.sampler=ddpm')).toEqual([]);
    expect(invalidUrlKeys(guidance2dUrl, '?g2.w=abc&g2.cls=9&g2.sampler=%3Cb%3E&other=1')).toEqual([
      'g2.cls',
      'g2.w',
      'g2.sampler',
    ]);
    expect(invalidUrlKeys(classifierGuidanceUrl, '?cg.n=7&cg.s=2')).toEqual(['cg.n']);
    expect(urlNote(guidance2dUrl, '')).toBe('');
    expect(urlNote(classifierGuidanceUrl, '?cg.s=-5')).toBe(
      "The link's cg.s was not valid; a default or the nearest allowed value is shown instead.",
    );
    expect(urlNote(guidance2dUrl, '?g2.w=x&g2.cls=x')).toContain('g2.cls and g2.w were not valid');
  });
});
