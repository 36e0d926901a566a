/**
 * The shapes world's vocabulary and grammar, loaded from `models/shapes-world/vocabulary.json`
 * (the single file shared with the Python training code) and validated once at import time, so
 * a malformed edit fails loudly in the first test or build instead of producing odd scenes.
 */
import rawVocabulary from '../../../models/shapes-world/vocabulary.json' with { type: 'json' };

export type Rgb = readonly [number, number, number];
export type Point = readonly [number, number];

export interface ColourDef {
  readonly name: string;
  readonly rgb: Rgb;
}

export type ShapeOutline =
  { readonly kind: 'disc'; readonly radius: number } | { readonly kind: 'polygon'; readonly points: readonly Point[] };

export interface ShapeDef {
  readonly name: string;
  /** Outline in units of the object radius, centred on the object's centre, y pointing down. */
  readonly outline: ShapeOutline;
}

export interface SizeDef {
  readonly name: string;
  /** Half the side of the object's bounding box, in pixels. */
  readonly radius: number;
}

export interface Region {
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

export interface PositionDef {
  readonly name: string;
  readonly phrase: string;
  /** Box for the object's centre (before clamping the object inside the canvas). */
  readonly region: Region;
}

export interface RelationDef {
  readonly name: string;
  readonly phrase: string;
  readonly axis: 'x' | 'y';
  /** sign(centre_A − centre_B) along `axis` for "A relation B". */
  readonly sign: -1 | 1;
}

export interface ColourShape {
  readonly colour: number;
  readonly shape: number;
}

export interface Vocabulary {
  readonly version: number;
  readonly canvas: {
    readonly width: number;
    readonly height: number;
    readonly channels: 3;
    readonly background: Rgb;
    readonly margin: number;
    readonly supersample: number;
  };
  readonly colours: readonly ColourDef[];
  readonly shapes: readonly ShapeDef[];
  readonly sizes: readonly SizeDef[];
  readonly positions: readonly PositionDef[];
  readonly relations: readonly RelationDef[];
  readonly layout: {
    readonly oneObjectProbability: number;
    readonly relationGap: number;
    readonly perpendicularOverlapRatio: number;
    readonly perpendicularDominance: number;
    readonly twoObjectsDistinctColours: boolean;
  };
  readonly mention: {
    readonly oneObjectSize: number;
    readonly oneObjectPosition: number;
    readonly twoObjectsSizes: number;
  };
  readonly tokens: {
    readonly list: readonly string[];
    readonly pad: number;
    readonly bos: number;
    readonly eos: number;
    readonly unk: number;
    readonly maxLength: number;
  };
  readonly heldOut: {
    /** Colour+shape pairs never drawn as the single object of a training scene. */
    readonly oneObjectColourShape: readonly ColourShape[];
    /** Unordered object pairs never drawn together in a two-object training scene. */
    readonly twoObjectPairs: readonly (readonly [ColourShape, ColourShape])[];
  };
  readonly evaluationCaptions: {
    readonly oneObject: readonly string[];
    readonly twoObjects: readonly string[];
  };
}

class VocabularyError extends Error {
  constructor(path: string, problem: string) {
    super(`shapes-world vocabulary.json: ${path} ${problem}`);
    this.name = 'VocabularyError';
  }
}

type Json = unknown;

function object(value: Json, path: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new VocabularyError(path, 'must be an object');
  return value as Record<string, Json>;
}

function array(value: Json, path: string, minLength = 1): Json[] {
  if (!Array.isArray(value) || value.length < minLength) {
    throw new VocabularyError(path, `must be an array of at least ${minLength} item(s)`);
  }
  return value;
}

function finite(value: Json, path: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new VocabularyError(path, `must be a number in [${min}, ${max}]`);
  }
  return value;
}

function integer(value: Json, path: string, min: number, max: number): number {
  const n = finite(value, path, min, max);
  if (!Number.isInteger(n)) throw new VocabularyError(path, 'must be an integer');
  return n;
}

function word(value: Json, path: string): string {
  if (typeof value !== 'string' || !/^[a-z]+$/.test(value))
    throw new VocabularyError(path, 'must be one lower-case word');
  return value;
}

function phrase(value: Json, path: string): string {
  if (typeof value !== 'string' || !/^[a-z]+( [a-z]+)*$/.test(value)) {
    throw new VocabularyError(path, 'must be lower-case words separated by single spaces');
  }
  return value;
}

function rgb(value: Json, path: string): Rgb {
  const items = array(value, path, 3);
  if (items.length !== 3) throw new VocabularyError(path, 'must have exactly 3 channels');
  return [
    integer(items[0], `${path}[0]`, 0, 255),
    integer(items[1], `${path}[1]`, 0, 255),
    integer(items[2], `${path}[2]`, 0, 255),
  ];
}

function uniqueNames(items: readonly { name: string }[], path: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.name)) throw new VocabularyError(path, `repeats the name "${item.name}"`);
    seen.add(item.name);
  }
}

function indexOfName(items: readonly { name: string }[], name: Json, path: string): number {
  const index = items.findIndex((item) => item.name === name);
  if (index < 0) throw new VocabularyError(path, `names an unknown value ${JSON.stringify(name)}`);
  return index;
}

/** Validates the parsed JSON and returns it in typed form; throws a message naming the bad field. */
export function validateVocabulary(raw: unknown): Vocabulary {
  const root = object(raw, '(root)');
  const version = integer(root.version, 'version', 1, Number.MAX_SAFE_INTEGER);

  const canvasJson = object(root.canvas, 'canvas');
  const canvas = {
    width: integer(canvasJson.width, 'canvas.width', 8, 1024),
    height: integer(canvasJson.height, 'canvas.height', 8, 1024),
    channels: 3 as const,
    background: rgb(canvasJson.background, 'canvas.background'),
    margin: finite(canvasJson.margin, 'canvas.margin', 0, 16),
    supersample: integer(canvasJson.supersample, 'canvas.supersample', 1, 16),
  };
  if (canvasJson.channels !== 3) throw new VocabularyError('canvas.channels', 'must be 3 (RGB)');

  const colours = array(root.colours, 'colours', 2).map((c, i) => {
    const o = object(c, `colours[${i}]`);
    return { name: word(o.name, `colours[${i}].name`), rgb: rgb(o.rgb, `colours[${i}].rgb`) };
  });
  uniqueNames(colours, 'colours');

  const shapes: ShapeDef[] = array(root.shapes, 'shapes', 2).map((s, i) => {
    const o = object(s, `shapes[${i}]`);
    const name = word(o.name, `shapes[${i}].name`);
    if (o.kind === 'disc')
      return { name, outline: { kind: 'disc', radius: finite(o.radius, `shapes[${i}].radius`, 0.1, 1) } };
    if (o.kind === 'polygon') {
      const points = array(o.points, `shapes[${i}].points`, 3).map((p, j): Point => {
        const xy = array(p, `shapes[${i}].points[${j}]`, 2);
        return [
          finite(xy[0], `shapes[${i}].points[${j}][0]`, -1, 1),
          finite(xy[1], `shapes[${i}].points[${j}][1]`, -1, 1),
        ];
      });
      return { name, outline: { kind: 'polygon', points } };
    }
    throw new VocabularyError(`shapes[${i}].kind`, 'must be "disc" or "polygon"');
  });
  uniqueNames(shapes, 'shapes');

  const sizes = array(root.sizes, 'sizes', 1).map((s, i) => {
    const o = object(s, `sizes[${i}]`);
    return { name: word(o.name, `sizes[${i}].name`), radius: finite(o.radius, `sizes[${i}].radius`, 1, 64) };
  });
  uniqueNames(sizes, 'sizes');
  const maxRadius = Math.max(...sizes.map((s) => s.radius));

  const positions = array(root.positions, 'positions', 1).map((p, i) => {
    const o = object(p, `positions[${i}]`);
    const r = object(o.region, `positions[${i}].region`);
    const region = {
      xMin: finite(r.xMin, `positions[${i}].region.xMin`, 0, canvas.width),
      xMax: finite(r.xMax, `positions[${i}].region.xMax`, 0, canvas.width),
      yMin: finite(r.yMin, `positions[${i}].region.yMin`, 0, canvas.height),
      yMax: finite(r.yMax, `positions[${i}].region.yMax`, 0, canvas.height),
    };
    // Every size must fit somewhere in every region, or sampling could not honour the caption.
    if (
      Math.max(region.xMin, canvas.margin + maxRadius) >
        Math.min(region.xMax, canvas.width - canvas.margin - maxRadius) ||
      Math.max(region.yMin, canvas.margin + maxRadius) >
        Math.min(region.yMax, canvas.height - canvas.margin - maxRadius)
    ) {
      throw new VocabularyError(`positions[${i}].region`, 'cannot hold the largest object inside the canvas');
    }
    return { name: word(o.name, `positions[${i}].name`), phrase: phrase(o.phrase, `positions[${i}].phrase`), region };
  });
  uniqueNames(positions, 'positions');

  const relations = array(root.relations, 'relations', 1).map((rel, i) => {
    const o = object(rel, `relations[${i}]`);
    if (o.axis !== 'x' && o.axis !== 'y') throw new VocabularyError(`relations[${i}].axis`, 'must be "x" or "y"');
    if (o.sign !== -1 && o.sign !== 1) throw new VocabularyError(`relations[${i}].sign`, 'must be -1 or 1');
    if (typeof o.name !== 'string' || !/^[a-z]+(-[a-z]+)*$/.test(o.name))
      throw new VocabularyError(`relations[${i}].name`, 'must be kebab-case');
    return {
      name: o.name,
      phrase: phrase(o.phrase, `relations[${i}].phrase`),
      axis: o.axis,
      sign: o.sign,
    } as RelationDef;
  });
  uniqueNames(relations, 'relations');

  const layoutJson = object(root.layout, 'layout');
  const counts = object(layoutJson.objectCountProbabilities, 'layout.objectCountProbabilities');
  const p1 = finite(counts['1'], 'layout.objectCountProbabilities.1', 0, 1);
  const p2 = finite(counts['2'], 'layout.objectCountProbabilities.2', 0, 1);
  if (Math.abs(p1 + p2 - 1) > 1e-12 || Object.keys(counts).length !== 2) {
    throw new VocabularyError('layout.objectCountProbabilities', 'must give "1" and "2" summing to 1');
  }
  const layout = {
    oneObjectProbability: p1,
    relationGap: finite(layoutJson.relationGap, 'layout.relationGap', 0, 16),
    perpendicularOverlapRatio: finite(layoutJson.perpendicularOverlapRatio, 'layout.perpendicularOverlapRatio', 0, 1),
    perpendicularDominance: finite(layoutJson.perpendicularDominance, 'layout.perpendicularDominance', 0, 1),
    twoObjectsDistinctColours: layoutJson.twoObjectsDistinctColours === true,
  };
  // Two of the largest objects must fit side by side (and one above the other) with the gap.
  for (const [axis, extent] of [
    ['x', canvas.width],
    ['y', canvas.height],
  ] as const) {
    if (4 * maxRadius + layout.relationGap > extent - 2 * canvas.margin) {
      throw new VocabularyError('layout.relationGap', `leaves no room for two large objects along ${axis}`);
    }
  }

  const grammar = object(root.grammar, 'grammar');
  const mentionJson = object(grammar.mentionProbabilities, 'grammar.mentionProbabilities');
  const mention = {
    oneObjectSize: finite(mentionJson.oneObjectSize, 'grammar.mentionProbabilities.oneObjectSize', 0, 1),
    oneObjectPosition: finite(mentionJson.oneObjectPosition, 'grammar.mentionProbabilities.oneObjectPosition', 0, 1),
    twoObjectsSizes: finite(mentionJson.twoObjectsSizes, 'grammar.mentionProbabilities.twoObjectsSizes', 0, 1),
  };

  const tokensJson = object(root.tokens, 'tokens');
  const list = array(tokensJson.list, 'tokens.list', 5).map((t, i) => {
    if (typeof t !== 'string' || t.length === 0)
      throw new VocabularyError(`tokens.list[${i}]`, 'must be a non-empty string');
    return t;
  });
  if (new Set(list).size !== list.length) throw new VocabularyError('tokens.list', 'repeats a token');
  const special = object(tokensJson.special, 'tokens.special');
  const specialId = (key: 'pad' | 'bos' | 'eos' | 'unk', text: string) => {
    const id = integer(special[key], `tokens.special.${key}`, 0, list.length - 1);
    if (list[id] !== text) throw new VocabularyError(`tokens.special.${key}`, `must point at "${text}" in tokens.list`);
    return id;
  };
  const tokens = {
    list,
    pad: specialId('pad', '<pad>'),
    bos: specialId('bos', '<bos>'),
    eos: specialId('eos', '<eos>'),
    unk: specialId('unk', '<unk>'),
    maxLength: integer(tokensJson.maxLength, 'tokens.maxLength', 4, 256),
  };
  if (tokens.pad !== 0) throw new VocabularyError('tokens.special.pad', 'must be 0');
  const known = new Set(list);
  const grammarWords = [
    'a',
    ...colours.map((c) => c.name),
    ...shapes.map((s) => s.name),
    ...sizes.map((s) => s.name),
    ...positions.flatMap((p) => p.phrase.split(' ')),
    ...relations.flatMap((r) => r.phrase.split(' ')),
  ];
  for (const w of grammarWords)
    if (!known.has(w)) throw new VocabularyError('tokens.list', `lacks the grammar word "${w}"`);
  const longestPosition = Math.max(...positions.map((p) => p.phrase.split(' ').length));
  const longestRelation = Math.max(...relations.map((r) => r.phrase.split(' ').length));
  const longestCaption = Math.max(4 + longestPosition, 8 + longestRelation);
  if (longestCaption + 2 > tokens.maxLength)
    throw new VocabularyError('tokens.maxLength', `must hold ${longestCaption} words plus BOS and EOS`);

  const heldOutJson = object(root.heldOut, 'heldOut');
  const colourShape = (value: Json, path: string): ColourShape => {
    const o = object(value, path);
    return {
      colour: indexOfName(colours, o.colour, `${path}.colour`),
      shape: indexOfName(shapes, o.shape, `${path}.shape`),
    };
  };
  const heldOut = {
    oneObjectColourShape: array(heldOutJson.oneObjectColourShape, 'heldOut.oneObjectColourShape', 0).map((v, i) =>
      colourShape(v, `heldOut.oneObjectColourShape[${i}]`),
    ),
    twoObjectPairs: array(heldOutJson.twoObjectPairs, 'heldOut.twoObjectPairs', 0).map((pair, i) => {
      const items = array(pair, `heldOut.twoObjectPairs[${i}]`, 2);
      if (items.length !== 2)
        throw new VocabularyError(`heldOut.twoObjectPairs[${i}]`, 'must hold exactly two objects');
      return [
        colourShape(items[0], `heldOut.twoObjectPairs[${i}][0]`),
        colourShape(items[1], `heldOut.twoObjectPairs[${i}][1]`),
      ] as const;
    }),
  };

  const evalJson = object(root.evaluationCaptions, 'evaluationCaptions');
  const evaluationCaptions = {
    oneObject: array(evalJson.oneObject, 'evaluationCaptions.oneObject', 0).map((c, i) =>
      phrase(c, `evaluationCaptions.oneObject[${i}]`),
    ),
    twoObjects: array(evalJson.twoObjects, 'evaluationCaptions.twoObjects', 0).map((c, i) =>
      phrase(c, `evaluationCaptions.twoObjects[${i}]`),
    ),
  };

  return {
    version,
    canvas,
    colours,
    shapes,
    sizes,
    positions,
    relations,
    layout,
    mention,
    tokens,
    heldOut,
    evaluationCaptions,
  };
}

/** The validated vocabulary (version in `vocabulary.version`). */
export const vocabulary: Vocabulary = validateVocabulary(rawVocabulary);
