/**
 * Build-time plumbing between <Exercise> and its children. Astro renders sibling components
 * concurrently, so children cannot register with their parent; instead <Hint>, <Solution> and
 * <Choice> wrap their rendered HTML in comment markers, and <Exercise> splits its rendered slot
 * here into prose, hints, solution and choices. Pure string functions: no DOM.
 */

export type PartKind = 'hint' | 'solution' | 'choice';

export const CHOICE_VALUE_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

export function openMarker(kind: PartKind, value?: string): string {
  if (value !== undefined && !CHOICE_VALUE_PATTERN.test(value)) {
    throw new Error(`<Choice value="${value}">: values must be 1–40 letters, digits, "-" or "_"`);
  }
  return value === undefined ? `<!--dsbs:${kind}-->` : `<!--dsbs:${kind} ${value}-->`;
}

export function closeMarker(kind: PartKind): string {
  return `<!--/dsbs:${kind}-->`;
}

export interface ExerciseParts {
  /** Everything that is not a hint, solution or choice: the question. */
  prose: string;
  hints: string[];
  solutions: string[];
  choices: { value: string; html: string }[];
}

const PART = /<!--dsbs:(hint|solution|choice)(?: ([A-Za-z0-9_-]+))?-->([\s\S]*?)<!--\/dsbs:\1-->/g;

export function splitExerciseParts(html: string): ExerciseParts {
  const parts: ExerciseParts = { prose: '', hints: [], solutions: [], choices: [] };
  parts.prose = html.replace(PART, (_match, kind: PartKind, value: string | undefined, inner: string) => {
    if (kind === 'hint') parts.hints.push(inner.trim());
    else if (kind === 'solution') parts.solutions.push(inner.trim());
    else parts.choices.push({ value: value ?? '', html: unwrapSingleParagraph(inner.trim()) });
    return '';
  });
  parts.prose = parts.prose.replace(/<p>\s*<\/p>/g, '').trim();
  return parts;
}

/** A choice is rendered inside a <label>, which may hold only phrasing content. */
export function unwrapSingleParagraph(html: string): string {
  const match = /^<p>([\s\S]*)<\/p>$/.exec(html);
  return match && !match[1]!.includes('<p>') ? match[1]! : html;
}
