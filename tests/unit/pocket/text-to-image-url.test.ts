// URL state of the text → image widget (src/widgets/text-to-image/url.ts): round trip, validation
// of captions, snapping, and the list of keys a malformed link got wrong.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPTION, textToImageUrl, urlStateProblems } from '../../../src/widgets/text-to-image/url.ts';

describe('text-to-image URL state', () => {
  it('round-trips every field, including an empty caption and a branch caption', () => {
    const state = {
      ...textToImageUrl.defaults(),
      caption: '',
      seed: 42,
      n: 9,
      steps: 20,
      sampler: 'ddpm' as const,
      w: -1,
      b: true,
      bk: 7,
      bw: 4.5,
      bcap: 'a small blue circle above a red square',
      k: 12,
    };
    const search = textToImageUrl.write(state, '?other=1');
    expect(search).toContain('other=1');
    expect(search).toContain('t2i.caption=&');
    expect(textToImageUrl.read(search)).toEqual(state);
    expect(urlStateProblems(search)).toEqual([]);
  });

  it('leaves defaults out of the URL; an absent branch caption means "same as the original"', () => {
    expect(textToImageUrl.write(textToImageUrl.defaults(), '')).toBe('');
    const d = textToImageUrl.read('');
    expect(d.caption).toBe(DEFAULT_CAPTION);
    expect(d.bcap).toBeNull();
    expect(textToImageUrl.read('?t2i.bcap=').bcap).toBe('');
  });

  it('normalises captions and refuses invalid ones', () => {
    expect(textToImageUrl.read('?t2i.caption=A++Red%20CIRCLE').caption).toBe('a red circle');
    expect(urlStateProblems('?t2i.caption=A++Red%20CIRCLE')).toEqual([]);
    expect(textToImageUrl.read('?t2i.caption=a+purple+circle').caption).toBe(DEFAULT_CAPTION);
    expect(textToImageUrl.read('?t2i.caption=<script>').caption).toBe(DEFAULT_CAPTION);
    expect(textToImageUrl.read(`?t2i.caption=${'a'.repeat(500)}`).caption).toBe(DEFAULT_CAPTION);
  });

  it('snaps n to 1, 4 or 9 and w to halves; clamps k and the branch step to the step count', () => {
    const s = textToImageUrl.read('?t2i.n=7&t2i.w=2.3&t2i.steps=10&t2i.k=60&t2i.bk=30');
    expect(s).toMatchObject({ n: 9, w: 2.5, steps: 10, k: 10, bk: 10 });
  });

  it('names every key a malformed link got wrong, and only those', () => {
    const problems = urlStateProblems(
      '?t2i.steps=abc&t2i.w=99&t2i.caption=a+purple+blob&t2i.sampler=zzz&t2i.n=7&t2i.k=-3&t2i.seed=5&t2i.b=maybe&x=1',
    );
    expect(problems.sort()).toEqual(
      ['t2i.b', 't2i.caption', 't2i.k', 't2i.n', 't2i.sampler', 't2i.steps', 't2i.w'].sort(),
    );
    expect(urlStateProblems('?t2i.seed=5&t2i.b=1&t2i.w=3.5')).toEqual([]);
  });
});
