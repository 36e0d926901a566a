/**
 * Captions: scene → caption text, caption text → token ids, and caption text → attributes
 * (a parser over the grammar in vocabulary.json that explains what it expected when it fails,
 * and lists the words that may come next, for the text-to-image widget's completion).
 *
 *   caption := object [position | relation object]
 *   object  := "a" [size] colour shape
 */
import type { CaptionAttributes, ObjectDescription, Scene } from './types.ts';
import { vocabulary, type Vocabulary } from './vocabulary.ts';

/** What a scene's caption says: the size and position are dropped when the scene does not mention them. */
export function sceneAttributes(scene: Scene): CaptionAttributes {
  const describe = (o: Scene['objects'][number]): ObjectDescription => ({
    colour: o.colour,
    shape: o.shape,
    size: scene.mentionSize ? o.size : null,
  });
  if (scene.kind === 'one') {
    return { kind: 'one', object: describe(scene.objects[0]), position: scene.mentionPosition ? scene.position : null };
  }
  return { kind: 'two', objects: [describe(scene.objects[0]), describe(scene.objects[1])], relation: scene.relation };
}

function objectPhrase(o: ObjectDescription, vocab: Vocabulary): string {
  const size = o.size === null ? '' : `${vocab.sizes[o.size]!.name} `;
  return `a ${size}${vocab.colours[o.colour]!.name} ${vocab.shapes[o.shape]!.name}`;
}

/** The canonical caption text of some attributes. */
export function captionFromAttributes(attributes: CaptionAttributes, vocab: Vocabulary = vocabulary): string {
  if (attributes.kind === 'one') {
    const head = objectPhrase(attributes.object, vocab);
    return attributes.position === null ? head : `${head} ${vocab.positions[attributes.position]!.phrase}`;
  }
  const [a, b] = attributes.objects;
  return `${objectPhrase(a, vocab)} ${vocab.relations[attributes.relation]!.phrase} ${objectPhrase(b, vocab)}`;
}

/** The caption of a scene, e.g. "a large blue square on the left". */
export function captionOf(scene: Scene, vocab: Vocabulary = vocabulary): string {
  return captionFromAttributes(sceneAttributes(scene), vocab);
}

interface WordSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function splitWords(text: string): WordSpan[] {
  return Array.from(text.matchAll(/\S+/g), (m) => ({
    text: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/**
 * Token ids of a caption: [BOS, words…, EOS] right-padded with PAD to `tokens.maxLength`.
 * Unknown words become UNK (use `parseCaption` to reject them with a message instead).
 */
export function encodeCaption(text: string, vocab: Vocabulary = vocabulary): Int32Array {
  const { list, bos, eos, unk, maxLength } = vocab.tokens;
  const words = splitWords(text);
  if (words.length + 2 > maxLength)
    throw new RangeError(`Caption has ${words.length} words; at most ${maxLength - 2} fit.`);
  const ids = new Int32Array(maxLength); // PAD is 0
  ids[0] = bos;
  words.forEach((w, i) => {
    const id = list.indexOf(w.text);
    ids[i + 1] = id < 0 || id === bos || id === eos || id === unk || id === vocab.tokens.pad ? unk : id;
  });
  ids[words.length + 1] = eos;
  return ids;
}

/** The words of a token sequence (special tokens dropped, UNK kept as "<unk>"). */
export function decodeTokens(ids: ArrayLike<number>, vocab: Vocabulary = vocabulary): string {
  const { list, pad, bos, eos } = vocab.tokens;
  const words: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === eos) break;
    if (id === pad || id === bos) continue;
    words.push(list[id] ?? '<unk>');
  }
  return words.join(' ');
}

export interface CaptionError {
  /** A sentence for the reader, naming the offending word. */
  readonly message: string;
  /** The offending word (lower case), or null when the caption ended too early. */
  readonly word: string | null;
  /** Index of the offending word (= number of words when the caption ended too early). */
  readonly wordIndex: number;
  /** Character range of the offending word in the input (empty range at the end when it ended too early). */
  readonly start: number;
  readonly end: number;
  /** The words that would have been accepted at that point. */
  readonly expected: readonly string[];
}

export type ParseResult =
  | { readonly ok: true; readonly attributes: CaptionAttributes; readonly caption: string }
  | { readonly ok: false; readonly error: CaptionError };

type SlotValue = {
  readonly slot: 'article' | 'size' | 'colour' | 'shape' | 'position' | 'relation';
  readonly index: number;
};

interface Alternative {
  readonly words: readonly string[];
  readonly value: SlotValue;
}

interface Slot {
  /** How the error message names what was expected, e.g. "a colour". */
  readonly label: string;
  readonly alternatives: readonly Alternative[];
}

function grammarSlots(vocab: Vocabulary) {
  const single = (slot: SlotValue['slot'], names: readonly { name: string }[]): Alternative[] =>
    names.map((n, index) => ({ words: [n.name], value: { slot, index } }));
  const phrases = (slot: SlotValue['slot'], items: readonly { phrase: string }[]): Alternative[] =>
    items.map((p, index) => ({ words: p.phrase.split(' '), value: { slot, index } }));
  const sizes = single('size', vocab.sizes);
  const colours = single('colour', vocab.colours);
  const positions = phrases('position', vocab.positions);
  const relations = phrases('relation', vocab.relations);
  return {
    article: { label: 'the word "a"', alternatives: [{ words: ['a'], value: { slot: 'article', index: 0 } }] } as Slot,
    sizeOrColour: { label: 'a size or a colour', alternatives: [...sizes, ...colours] } as Slot,
    colour: { label: 'a colour', alternatives: colours } as Slot,
    shape: { label: 'a shape', alternatives: single('shape', vocab.shapes) } as Slot,
    positionOrRelation: { label: 'a position or a relation', alternatives: [...positions, ...relations] } as Slot,
    endOfCaption: { label: 'the end of the caption', alternatives: [] } as Slot,
  };
}

type Slots = ReturnType<typeof grammarSlots>;

class Mismatch {
  constructor(
    readonly wordIndex: number,
    readonly slot: Slot,
    readonly expected: readonly string[],
  ) {}
}

function unique(words: readonly string[]): string[] {
  return Array.from(new Set(words));
}

/** Matches one alternative of `slot` at `words[at]`; returns it and the index after it, or throws a Mismatch. */
function matchSlot(words: readonly WordSpan[], at: number, slot: Slot): { value: SlotValue; next: number } {
  let candidates = slot.alternatives;
  for (let k = 0; ; k++) {
    const word = words[at + k];
    const expected = unique(candidates.map((c) => c.words[k]!));
    if (word === undefined) throw new Mismatch(at + k, slot, expected);
    const matching = candidates.filter((c) => c.words[k] === word.text);
    if (matching.length === 0) throw new Mismatch(at + k, slot, expected);
    const done = matching.find((c) => c.words.length === k + 1);
    if (done) return { value: done.value, next: at + k + 1 };
    candidates = matching;
  }
}

function parseObject(
  words: readonly WordSpan[],
  at: number,
  slots: Slots,
): { object: ObjectDescription; next: number } {
  let i = matchSlot(words, at, slots.article).next;
  const first = matchSlot(words, i, slots.sizeOrColour);
  i = first.next;
  let size: number | null = null;
  let colour: number;
  if (first.value.slot === 'size') {
    size = first.value.index;
    const c = matchSlot(words, i, slots.colour);
    colour = c.value.index;
    i = c.next;
  } else {
    colour = first.value.index;
  }
  const shape = matchSlot(words, i, slots.shape);
  return { object: { colour, shape: shape.value.index, size }, next: shape.next };
}

function expectEnd(words: readonly WordSpan[], at: number, slots: Slots): void {
  if (at < words.length) throw new Mismatch(at, slots.endOfCaption, []);
}

/** Parses words into attributes; also returns the words that could extend this complete caption. */
function parseWords(
  words: readonly WordSpan[],
  slots: Slots,
): { attributes: CaptionAttributes; continuations: string[] } {
  const first = parseObject(words, 0, slots);
  if (first.next === words.length) {
    return {
      attributes: { kind: 'one', object: first.object, position: null },
      continuations: unique(slots.positionOrRelation.alternatives.map((a) => a.words[0]!)),
    };
  }
  const tail = matchSlot(words, first.next, slots.positionOrRelation);
  if (tail.value.slot === 'position') {
    expectEnd(words, tail.next, slots);
    return { attributes: { kind: 'one', object: first.object, position: tail.value.index }, continuations: [] };
  }
  const second = parseObject(words, tail.next, slots);
  expectEnd(words, second.next, slots);
  return {
    attributes: { kind: 'two', objects: [first.object, second.object], relation: tail.value.index },
    continuations: [],
  };
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function listWords(words: readonly string[]): string {
  const quoted = words.map((w) => `"${w}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function describeMismatch(m: Mismatch, words: readonly WordSpan[], text: string, vocab: Vocabulary): CaptionError {
  const word = words[m.wordIndex];
  const expectation =
    m.expected.length > 0 ? `expected ${m.slot.label}: ${listWords(m.expected)}` : `expected ${m.slot.label}`;
  if (word === undefined) {
    return {
      message:
        words.length === 0 ? 'The caption is empty: start with "a".' : `The caption stops too early: ${expectation}.`,
      word: null,
      wordIndex: m.wordIndex,
      start: text.length,
      end: text.length,
      expected: m.expected,
    };
  }
  const known = vocab.tokens.list.includes(word.text) && !word.text.startsWith('<');
  let message: string;
  if (!known) {
    // Prefer a close word that fits here; otherwise any close word of the vocabulary.
    const closestIn = (pool: readonly string[]) =>
      pool
        .map((w) => ({ w, d: editDistance(word.text, w) }))
        .filter(({ d }) => d <= Math.max(1, Math.floor(word.text.length / 3)))
        .sort((x, y) => x.d - y.d)[0];
    const closest = closestIn(m.expected) ?? closestIn(vocab.tokens.list.filter((t) => !t.startsWith('<')));
    const hint = closest ? ` Did you mean "${closest.w}"?` : '';
    message = `Unknown word "${word.text}": the shapes world does not know it (word ${m.wordIndex + 1}; ${expectation}).${hint}`;
  } else if (m.slot.alternatives.length === 0) {
    message = `Unexpected word "${word.text}" after a complete caption (word ${m.wordIndex + 1}).`;
  } else {
    message = `The word "${word.text}" cannot come here (word ${m.wordIndex + 1}): ${expectation}.`;
  }
  return { message, word: word.text, wordIndex: m.wordIndex, start: word.start, end: word.end, expected: m.expected };
}

/** Parses a caption (case and extra spaces are ignored) into attributes, or explains what is wrong. */
export function parseCaption(text: string, vocab: Vocabulary = vocabulary): ParseResult {
  const words = splitWords(text);
  try {
    const { attributes } = parseWords(words, grammarSlots(vocab));
    return { ok: true, attributes, caption: captionFromAttributes(attributes, vocab) };
  } catch (error) {
    if (error instanceof Mismatch) return { ok: false, error: describeMismatch(error, words, text, vocab) };
    throw error;
  }
}

export interface Completion {
  /** Words that may come next (filtered by the partly typed last word, if the text does not end in a space). */
  readonly next: readonly string[];
  /** Whether the text (up to the partly typed word) is already a complete caption. */
  readonly complete: boolean;
  /** Set when the text before the partly typed word is not a valid start of a caption. */
  readonly error: CaptionError | null;
}

/** Completion for a caption being typed: what may come next, in grammar order. */
export function completeCaption(text: string, vocab: Vocabulary = vocabulary): Completion {
  const words = splitWords(text);
  const typing = words.length > 0 && !/\s$/.test(text) ? words[words.length - 1]!.text : '';
  const settled = typing === '' ? words : words.slice(0, -1);
  const settledText = typing === '' ? text : text.slice(0, words[words.length - 1]!.start);
  const byPrefix = (list: readonly string[]) => list.filter((w) => w.startsWith(typing));
  try {
    const { continuations } = parseWords(settled, grammarSlots(vocab));
    return { next: byPrefix(continuations), complete: true, error: null };
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    if (error.wordIndex === settled.length) return { next: byPrefix(error.expected), complete: false, error: null };
    return { next: [], complete: false, error: describeMismatch(error, settled, settledText, vocab) };
  }
}
