import { checkChoice, checkNumeric, describeParseFailure, type NumericSpec } from '../../../lib/exercises/check';
import type { ExerciseRecord } from '../../../lib/exercises/progress';
import { sharedStore } from './shared-store';

type FeedbackKind = 'correct' | 'incorrect' | 'invalid' | 'done' | '';

const UNRENDERED = Symbol('unrendered');

/** Behaviour of one <Exercise>: checking, progressive hints, solution, "mark as done", persistence. */
export class ExerciseElement extends HTMLElement {
  #rendered: ExerciseRecord | undefined | typeof UNRENDERED = UNRENDERED;
  #unsubscribe: (() => void) | undefined;

  constructor() {
    super();
    this.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    this.addEventListener('click', (event) => {
      const role = (event.target as Element).closest('[data-role]')?.getAttribute('data-role');
      if (role === 'next-hint') this.#revealNextHint();
      else if (role === 'show-solution') this.#revealSolution();
    });
    this.addEventListener('change', (event) => {
      const target = event.target as HTMLInputElement;
      if (target.dataset.role === 'done') sharedStore().setDone(this.id, this.#chapter, target.checked);
    });
  }

  connectedCallback(): void {
    const store = sharedStore();
    this.#render(store.get(this.id));
    // Made live only after restoring saved state, so a page load does not announce every exercise.
    this.#part('feedback')?.setAttribute('role', 'status');
    this.#unsubscribe = store.subscribe((current) => this.#render(current.get(this.id)));
  }

  disconnectedCallback(): void {
    this.#unsubscribe?.();
  }

  get #type(): string {
    return this.dataset.type ?? '';
  }

  get #chapter(): string {
    return this.closest('dsbs-exercises')?.getAttribute('data-chapter') ?? 'unsorted';
  }

  get #hints(): HTMLElement[] {
    return [...this.querySelectorAll<HTMLElement>('[data-role="hint"]')];
  }

  #part<T extends HTMLElement = HTMLElement>(role: string): T | null {
    return this.querySelector<T>(`[data-role="${role}"]`);
  }

  #numericSpec(): NumericSpec {
    return {
      answer: Number(this.dataset.answer),
      tolerance: this.dataset.tolerance === undefined ? 0 : Number(this.dataset.tolerance),
      relTolerance: this.dataset.relTolerance === undefined ? 0 : Number(this.dataset.relTolerance),
    };
  }

  #submit(): void {
    const store = sharedStore();
    if (this.#type === 'numeric') {
      const raw = this.#part<HTMLInputElement>('input')?.value ?? '';
      const result = checkNumeric(raw, this.#numericSpec());
      if (result.kind === 'invalid') {
        this.#showFeedback('invalid', `⚠ ${describeParseFailure(result.reason, raw)}`);
        return;
      }
      store.recordAttempt(this.id, this.#chapter, raw.trim(), result.kind === 'correct');
    } else if (this.#type === 'choice') {
      const selected = this.querySelector<HTMLInputElement>('[data-role="choice"]:checked');
      if (!selected) {
        this.#showFeedback('invalid', '⚠ Choose an option first.');
        return;
      }
      store.recordAttempt(
        this.id,
        this.#chapter,
        selected.value,
        checkChoice(selected.value, this.dataset.answer ?? '') === 'correct',
      );
    }
  }

  #revealNextHint(): void {
    const hints = this.#hints;
    const shown = Math.min(sharedStore().get(this.id)?.hintsRevealed ?? 0, hints.length);
    if (shown >= hints.length) return;
    sharedStore().revealHints(this.id, this.#chapter, shown + 1);
    hints[shown]?.focus();
  }

  #revealSolution(): void {
    sharedStore().revealSolution(this.id, this.#chapter);
    this.#part('solution')?.focus();
  }

  #render(record: ExerciseRecord | undefined): void {
    const previous = this.#rendered;
    if (previous !== UNRENDERED && JSON.stringify(previous) === JSON.stringify(record)) return;
    this.#rendered = record ? { ...record } : undefined;
    const before = previous === UNRENDERED ? undefined : previous;

    this.dataset.status = record?.status ?? 'unanswered';
    const status = this.#part('status');
    if (status) status.textContent = statusLabel(record);

    const hints = this.#hints;
    const shown = Math.min(record?.hintsRevealed ?? 0, hints.length);
    hints.forEach((hint, index) => (hint.hidden = index >= shown));
    const nextHint = this.#part<HTMLButtonElement>('next-hint');
    if (nextHint) {
      nextHint.hidden = shown >= hints.length;
      if (shown < hints.length) {
        nextHint.textContent = `Show hint ${shown + 1} of ${hints.length}`;
        nextHint.setAttribute('aria-controls', hints[shown]!.id);
      }
    }
    const solutionRevealed = record?.solutionRevealed ?? false;
    const solution = this.#part('solution');
    if (solution) solution.hidden = !solutionRevealed;
    const showSolution = this.#part('show-solution');
    if (showSolution) showSolution.hidden = solutionRevealed;

    const done = this.#part<HTMLInputElement>('done');
    if (done) done.checked = record?.status === 'done';

    const answerChanged = previous === UNRENDERED || record?.lastAnswer !== before?.lastAnswer;
    if (answerChanged) this.#restoreAnswer(record?.lastAnswer ?? null);

    const outcomeChanged =
      previous === UNRENDERED || record?.status !== before?.status || record?.attempts !== before?.attempts;
    if (outcomeChanged) this.#showFeedback(...this.#feedbackFor(record));
  }

  #restoreAnswer(answer: string | null): void {
    const input = this.#part<HTMLInputElement>('input');
    if (input) input.value = answer ?? '';
    for (const choice of this.querySelectorAll<HTMLInputElement>('[data-role="choice"]')) {
      choice.checked = answer !== null && choice.value === answer;
    }
  }

  #feedbackFor(record: ExerciseRecord | undefined): [FeedbackKind, string] {
    if (!record) return ['', ''];
    const numeric = this.#type === 'numeric';
    const hasHints = this.#hints.length > 0;
    switch (record.status) {
      case 'correct':
        return ['correct', numeric ? `✓ Correct: ${record.lastAnswer} is right.` : '✓ Correct.'];
      case 'incorrect': {
        const what = numeric ? `${record.lastAnswer} is not within the accepted range` : 'that is not the right option';
        const next = hasHints ? 'Try again, or reveal a hint.' : 'Try again.';
        return ['incorrect', `✗ Not quite: ${what} (attempt ${record.attempts}). ${next}`];
      }
      case 'done':
        return ['done', '✓ Marked as done.'];
      case 'unanswered':
        return ['', ''];
    }
  }

  #showFeedback(kind: FeedbackKind, text: string): void {
    const feedback = this.#part('feedback');
    if (!feedback) return;
    feedback.dataset.kind = kind;
    if (feedback.textContent !== text) feedback.textContent = text;
  }
}

function statusLabel(record: ExerciseRecord | undefined): string {
  switch (record?.status) {
    case 'correct':
      return '✓ Solved';
    case 'done':
      return '✓ Done';
    case 'incorrect':
      return 'Attempted';
    default:
      return record?.solutionRevealed ? 'Solution viewed' : '';
  }
}
