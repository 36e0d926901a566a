import { describe, expect, it } from 'vitest';
import { ClipTokenizer, CLIP_MAX_LENGTH, toInt64 } from '../../../src/lib/pipelines/tokenizers/clip';
import { Gpt2Tokenizer } from '../../../src/lib/pipelines/tokenizers/gpt2';
import { TokenizerLoadError } from '../../../src/lib/pipelines/tokenizers/load';
import {
  byteLevelAlphabet,
  clipStandinTokenizer,
  gpt2StandinTokenizer,
  learnMerges,
} from '../../../models/standins/tokenizers';

const clipFiles = clipStandinTokenizer();
const gpt2Files = gpt2StandinTokenizer();
const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe('stand-in tokenizer.json files copy the real structure', () => {
  it('CLIP: 49408 ids, BOS 49406, EOS 49407, lower-casing normalizer, RobertaProcessing, "</w>" suffix', () => {
    const t = clipFiles.tokenizer as any;
    const ids = Object.values(t.model.vocab as Record<string, number>).sort((a, b) => a - b);
    expect(ids.length).toBe(49408);
    expect(ids[0]).toBe(0);
    expect(ids[ids.length - 1]).toBe(49407);
    expect(new Set(ids).size).toBe(49408);
    expect(t.model.vocab['<|startoftext|>']).toBe(49406);
    expect(t.model.vocab['<|endoftext|>']).toBe(49407);
    expect(t.model).toMatchObject({ type: 'BPE', end_of_word_suffix: '</w>', unk_token: '<|endoftext|>' });
    expect(t.normalizer.normalizers.map((n: any) => n.type)).toEqual(['NFC', 'Replace', 'Lowercase']);
    expect(t.pre_tokenizer.pretokenizers.map((n: any) => n.type)).toEqual(['Split', 'ByteLevel']);
    expect(t.post_processor).toMatchObject({
      type: 'RobertaProcessing',
      cls: ['<|startoftext|>', 49406],
      sep: ['<|endoftext|>', 49407],
    });
    expect(t.decoder.type).toBe('ByteLevel');
    expect(t.model.merges.length).toBeGreaterThan(100);
    // Every merge result is in the vocabulary (a BPE file that the Rust crate would accept).
    for (const m of t.model.merges as string[]) expect(t.model.vocab[m.replace(' ', '')]).toBeTypeOf('number');
  });

  it('GPT-2: 50257 ids, <|endoftext|> 50256, byte-level pre-tokenizer/post-processor/decoder, no normalizer', () => {
    const t = gpt2Files.tokenizer as any;
    expect(Object.keys(t.model.vocab).length).toBe(50257);
    expect(t.model.vocab['<|endoftext|>']).toBe(50256);
    expect(t.added_tokens).toEqual([expect.objectContaining({ id: 50256, content: '<|endoftext|>', special: true })]);
    expect(t.normalizer).toBeNull();
    expect([t.pre_tokenizer.type, t.post_processor.type, t.decoder.type]).toEqual([
      'ByteLevel',
      'ByteLevel',
      'ByteLevel',
    ]);
    // The real vocabulary starts with the printable bytes: "!" is id 0, "Ġ" (space) id 220.
    expect(t.model.vocab['!']).toBe(0);
    expect(t.model.vocab['Ġ']).toBe(220);
  });

  it('the byte alphabet covers all 256 bytes with distinct characters; the trainer merges the most frequent pair first', () => {
    const { chars, byteToChar } = byteLevelAlphabet();
    expect(new Set(chars).size).toBe(256);
    expect(byteToChar[32]).toBe('Ġ');
    expect(byteToChar[10]).toBe('Ċ');
    // Pair counts: lo 7, ow 5, ot 2, at 1 → "lo"; then low 5, lot 2, at 1 → "low", "lot", "at".
    const merges = learnMerges(
      new Map([
        [['l', 'o', 'w'], 5],
        [['l', 'o', 't'], 2],
        [['a', 't'], 1],
      ]),
      10,
    );
    expect(merges).toEqual([
      ['l', 'o'],
      ['lo', 'w'],
      ['lo', 't'],
      ['a', 't'],
    ]);
    expect(
      learnMerges(
        new Map([
          [['l', 'o', 'w'], 5],
          [['l', 'o', 't'], 2],
        ]),
        1,
      ),
    ).toEqual([['l', 'o']]);
  });
});

describe('ClipTokenizer', () => {
  const clip = ClipTokenizer.from(bytes(clipFiles.tokenizer), { config: bytes(clipFiles.config) });

  it('wraps the text in BOS … EOS and pads to 77 with the pad id (EOS for OpenAI CLIP)', () => {
    const e = clip.encode('a photo of a cat');
    expect(e.ids).toBeInstanceOf(Int32Array);
    expect(e.ids.length).toBe(CLIP_MAX_LENGTH);
    expect(e.ids[0]).toBe(49406);
    expect(e.tokens).toEqual(['<|startoftext|>', 'a</w>', 'photo</w>', 'of</w>', 'a</w>', 'cat</w>', '<|endoftext|>']);
    expect(e.length).toBe(7);
    expect(e.ids[e.length - 1]).toBe(49407);
    expect([...e.ids.slice(e.length)]).toEqual(new Array(77 - 7).fill(49407));
    expect(e.truncated).toBe(false);
    expect(clip.decode(e.ids)).toBe('a photo of a cat');
  });

  it('lower-cases and folds whitespace like the real normalizer', () => {
    expect(clip.encode('  A   PHOTO of\ta Cat ').ids).toEqual(clip.encode('a photo of a cat').ids);
  });

  it('splits unknown words into byte-level pieces that still decode to the text', () => {
    const e = clip.encode('zebra ünïcode!');
    expect(e.tokens.slice(1, -1).join('')).not.toContain(' ');
    expect(e.tokens.at(-2)!.endsWith('</w>')).toBe(true);
    expect(clip.decode(e.ids)).toBe('zebra ünïcode!');
  });

  it('truncates long prompts to 77 positions keeping EOS last', () => {
    const e = clip.encode(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '));
    expect(e.truncated).toBe(true);
    expect(e.length).toBe(77);
    expect(e.ids[0]).toBe(49406);
    expect(e.ids[76]).toBe(49407);
    expect(e.tokens).toHaveLength(77);
  });

  it('reads the pad token from tokenizer_config.json ("!" = id 0 in SD 2.x / SD-Turbo tokenizers)', () => {
    const sd2 = ClipTokenizer.from(clipFiles.tokenizer, {
      config: { ...clipFiles.config, pad_token: { content: '!' } },
    });
    expect(sd2.padId).toBe(0);
    const e = sd2.encode('a cat');
    expect([...e.ids.slice(e.length)].every((v) => v === 0)).toBe(true);
    expect(e.ids[e.length - 1]).toBe(49407);
  });

  it('batches rows of 77 and converts to int64 for the Xenova towers', () => {
    const b = clip.encodeBatch(['a cat', 'a photo of a dog']);
    expect(b.dims).toEqual([2, 77]);
    expect(b.lengths).toEqual([4, 7]);
    expect([...b.ids.slice(77, 77 + 7)]).toEqual([...clip.encode('a photo of a dog').ids.slice(0, 7)]);
    expect(toInt64(b.ids)[77]).toBe(49406n);
  });

  it('rejects files that are not a BPE tokenizer.json, naming what it got', () => {
    expect(() => ClipTokenizer.from(new TextEncoder().encode('<!doctype html><html>'))).toThrow(
      /not valid JSON.*<!doctype html>/,
    );
    expect(() => ClipTokenizer.from({ model: { type: 'WordPiece', vocab: {} } })).toThrow(TokenizerLoadError);
  });
});

describe('Gpt2Tokenizer', () => {
  const gpt2 = Gpt2Tokenizer.from(bytes(gpt2Files.tokenizer), bytes(gpt2Files.config));

  it('byte-level BPE: spaces belong to the following word, any text round-trips', () => {
    const e = gpt2.encode('The cat sat on the mat');
    expect(e.tokens).toEqual(['The', 'Ġcat', 'Ġsat', 'Ġon', 'Ġthe', 'Ġmat']);
    expect(gpt2.decode(e.ids)).toBe('The cat sat on the mat');
    const odd = 'naïve  café 🙂\nnew line';
    expect(gpt2.decode(gpt2.encode(odd).ids)).toBe(odd);
  });

  it('exposes vocabulary strings and display text per token; <|endoftext|> is 50256', () => {
    expect(gpt2.eosId).toBe(50256);
    expect(gpt2.vocabSize).toBe(50257);
    const [id] = gpt2.encode(' cat').ids;
    expect(gpt2.token(id)).toBe('Ġcat');
    expect(gpt2.display(id)).toBe(' cat');
    expect(gpt2.display(50256)).toBe('<|endoftext|>');
    expect(gpt2.decode([id, 50256], { skipSpecial: true })).toBe(' cat');
  });
});
