/**
 * Shared loading for the pipelines' tokenizers: @huggingface/tokenizers built from the model's own
 * `tokenizer.json` (+ `tokenizer_config.json`), given as bytes or parsed JSON — never a URL, so
 * the runtime's verified downloads are what supplies them.
 */
import { Tokenizer } from '@huggingface/tokenizers';

export type JsonSource = Uint8Array | ArrayBuffer | string | Record<string, unknown>;

export class TokenizerLoadError extends Error {
  override name = 'TokenizerLoadError';
}

export function parseJsonSource(source: JsonSource, what: string): Record<string, unknown> {
  if (typeof source === 'object' && !(source instanceof Uint8Array) && !(source instanceof ArrayBuffer)) return source;
  const text = typeof source === 'string' ? source : new TextDecoder().decode(source);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    const start = text.slice(0, 40).replace(/\s+/g, ' ');
    throw new TokenizerLoadError(`${what} is not valid JSON (${(error as Error).message}); it starts with "${start}".`);
  }
}

export function buildTokenizer(
  tokenizerJson: Record<string, unknown>,
  config: Record<string, unknown>,
  what: string,
): Tokenizer {
  const model = tokenizerJson.model as { type?: string } | undefined;
  if (!model || model.type !== 'BPE')
    throw new TokenizerLoadError(
      `${what}: expected a BPE tokenizer.json, got model type ${JSON.stringify(model?.type)}.`,
    );
  return new Tokenizer(tokenizerJson, config);
}

/** A special token as tokenizer_config.json writes it: a string or an AddedToken object. */
export function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string')
    return (value as { content: string }).content;
  return undefined;
}

export function requireId(tokenizer: Tokenizer, token: string, what: string): number {
  const id = tokenizer.token_to_id(token);
  if (id === undefined) throw new TokenizerLoadError(`${what}: the vocabulary has no ${JSON.stringify(token)} token.`);
  return id;
}
