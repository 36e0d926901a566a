/**
 * Stand-in `tokenizer.json` files for CLIP (openai/clip-vit-base-patch32, as mirrored by
 * Xenova/clip-vit-base-patch32) and GPT-2 (gpt2 / Xenova/gpt2).
 *
 * They copy the real files' structure — model type, normalizer, pre-tokenizer, post-processor and
 * decoder types and options, special tokens at their real ids, the real vocabulary sizes — but
 * their merges are learned here by a small byte-pair-encoding trainer (Sennrich et al. 2016,
 * Algorithm 1) on a few sentences, and ids above the learned tokens are filled with generated
 * placeholders that no text can produce. Pure TypeScript (no Node APIs): browser fixture pages
 * generate them too.
 *
 * Structure facts read from the public tokenizer.json / tokenizer_config.json files on the Hub.
 */

export const CLIP_VOCAB_SIZE = 49408;
export const CLIP_BOS = { content: '<|startoftext|>', id: 49406 } as const;
export const CLIP_EOS = { content: '<|endoftext|>', id: 49407 } as const;
export const GPT2_VOCAB_SIZE = 50257;
export const GPT2_EOS = { content: '<|endoftext|>', id: 50256 } as const;

/**
 * GPT-2's reversible byte → printable character table (the same in CLIP): printable Latin-1
 * bytes map to themselves, the other 68 bytes to U+0100 onwards. Returns the characters in the
 * order the real vocabularies list them (ids 0…255).
 */
export function byteLevelAlphabet(): { chars: string[]; byteToChar: string[] } {
  const keep: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b);
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b);
  for (let b = 0xae; b <= 0xff; b++) keep.push(b);
  const byteToChar: string[] = new Array(256);
  const order: number[] = [...keep];
  for (const b of keep) byteToChar[b] = String.fromCodePoint(b);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (byteToChar[b] !== undefined) continue;
    byteToChar[b] = String.fromCodePoint(256 + extra++);
    order.push(b);
  }
  return { chars: order.map((b) => byteToChar[b]), byteToChar };
}

function toByteChars(word: string, byteToChar: string[]): string[] {
  return [...new TextEncoder().encode(word)].map((b) => byteToChar[b]);
}

/**
 * Learn up to `count` merges: repeatedly join the most frequent adjacent pair of symbols (ties
 * broken by the pair's text, so the result is deterministic) until every word is one symbol.
 */
export function learnMerges(words: Map<string[], number>, count: number): [string, string][] {
  const entries = [...words.entries()].map(([symbols, freq]) => ({ symbols: [...symbols], freq }));
  const merges: [string, string][] = [];
  for (let m = 0; m < count; m++) {
    const pairs = new Map<string, number>();
    for (const { symbols, freq } of entries) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const k = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(k, (pairs.get(k) ?? 0) + freq);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [k, c] of pairs) {
      if (c > bestCount || (c === bestCount && best !== null && k < best)) {
        best = k;
        bestCount = c;
      }
    }
    if (best === null) break;
    const [a, b] = best.split(' ') as [string, string];
    merges.push([a, b]);
    for (const e of entries) {
      const next: string[] = [];
      for (let i = 0; i < e.symbols.length; i++) {
        if (i + 1 < e.symbols.length && e.symbols[i] === a && e.symbols[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(e.symbols[i]);
      }
      e.symbols = next;
    }
  }
  return merges;
}

/** The sentences both stand-ins learn their merges from. */
export const STANDIN_CORPUS = [
  'a photo of a cat',
  'a photo of a dog',
  'a photo of a red car',
  'a photo of a blue house',
  'a painting of a cat sitting on a chair',
  'a drawing of a dog in the snow',
  'an astronaut riding a horse on the moon',
  'the quick brown fox jumps over the lazy dog',
  'the cat sat on the mat and the dog sat on the log',
  "it's a sunny day in the city, and there's a photo of the sea",
  'one two three four five six seven eight nine ten 2024 1999',
  'Once upon a time there was a little robot who learned to paint.',
  'The model predicts the next token from the tokens before it.',
];

const CLIP_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/gu;
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

function countWords(pieces: string[][]): Map<string[], number> {
  const byKey = new Map<string, { symbols: string[]; freq: number }>();
  for (const p of pieces) {
    const k = p.join('\u0000');
    const e = byKey.get(k);
    if (e) e.freq++;
    else byKey.set(k, { symbols: p, freq: 1 });
  }
  return new Map([...byKey.values()].map((e) => [e.symbols, e.freq]));
}

function fill(vocab: Record<string, number>, from: number, to: number): void {
  for (let id = from; id < to; id++) vocab[`<standin_${id}>`] = id;
}

function addedToken(id: number, content: string, normalized: boolean) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: true };
}

export interface TokenizerFiles {
  /** tokenizer.json */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json (the fields the tokenizer reads) */
  config: Record<string, unknown>;
}

/** CLIP: NFC + whitespace folding + lower-casing, word split, byte-level BPE with "</w>", BOS/EOS. */
export function clipStandinTokenizer(mergeCount = 1000): TokenizerFiles {
  const { chars, byteToChar } = byteLevelAlphabet();
  const words = STANDIN_CORPUS.flatMap((s) => s.normalize('NFC').toLowerCase().match(CLIP_SPLIT) ?? []);
  const pieces = words.map((w) => {
    const symbols = toByteChars(w, byteToChar);
    symbols[symbols.length - 1] += '</w>';
    return symbols;
  });
  const merges = learnMerges(countWords(pieces), mergeCount);
  const vocab: Record<string, number> = {};
  chars.forEach((c, i) => (vocab[c] = i));
  chars.forEach((c, i) => (vocab[`${c}</w>`] = 256 + i));
  let next = 512;
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = next++;
  fill(vocab, next, CLIP_BOS.id);
  vocab[CLIP_BOS.content] = CLIP_BOS.id;
  vocab[CLIP_EOS.content] = CLIP_EOS.id;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [addedToken(CLIP_BOS.id, CLIP_BOS.content, true), addedToken(CLIP_EOS.id, CLIP_EOS.content, false)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: {
            Regex:
              "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [CLIP_EOS.content, CLIP_EOS.id],
      cls: [CLIP_BOS.content, CLIP_BOS.id],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: CLIP_EOS.content,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const config = {
    add_prefix_space: false,
    bos_token: CLIP_BOS.content,
    eos_token: CLIP_EOS.content,
    pad_token: CLIP_EOS.content,
    unk_token: CLIP_EOS.content,
    do_lower_case: true,
    errors: 'replace',
    model_max_length: 77,
    clean_up_tokenization_spaces: true,
    tokenizer_class: 'CLIPTokenizer',
  };
  return { tokenizer, config };
}

/** GPT-2: byte-level pre-tokenizer (spaces become "Ġ"), BPE without suffixes, <|endoftext|> 50256. */
export function gpt2StandinTokenizer(mergeCount = 1000): TokenizerFiles {
  const { chars, byteToChar } = byteLevelAlphabet();
  const words = STANDIN_CORPUS.flatMap((s) => (' ' + s).match(GPT2_SPLIT) ?? []);
  const merges = learnMerges(countWords(words.map((w) => toByteChars(w, byteToChar))), mergeCount);
  const vocab: Record<string, number> = {};
  chars.forEach((c, i) => (vocab[c] = i));
  let next = 256;
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = next++;
  fill(vocab, next, GPT2_EOS.id);
  vocab[GPT2_EOS.content] = GPT2_EOS.id;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [addedToken(GPT2_EOS.id, GPT2_EOS.content, true)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const config = {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: GPT2_EOS.content,
    eos_token: GPT2_EOS.content,
    unk_token: GPT2_EOS.content,
    errors: 'replace',
    model_max_length: 1024,
    clean_up_tokenization_spaces: true,
    tokenizer_class: 'GPT2Tokenizer',
  };
  return { tokenizer, config };
}
