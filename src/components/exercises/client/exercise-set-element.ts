import { isComplete } from '../../../lib/exercises/progress';
import { sharedStore } from './shared-store';

/** Largest progress file accepted for import; real exports are a few kilobytes. */
const MAX_IMPORT_BYTES = 1_000_000;

/** Behaviour of <Exercises>: chapter summary, export, import and reset of progress. */
export class ExerciseSetElement extends HTMLElement {
  #unsubscribe: (() => void) | undefined;

  constructor() {
    super();
    this.addEventListener('click', (event) => {
      const role = (event.target as Element).closest('[data-role]')?.getAttribute('data-role');
      if (role === 'export') this.#export();
      else if (role === 'reset') this.#askToReset();
    });
    this.addEventListener('change', (event) => {
      const target = event.target as HTMLInputElement;
      if (target.dataset.role === 'import') void this.#import(target);
    });
  }

  connectedCallback(): void {
    this.#part('reset-dialog')?.addEventListener('close', this.#onDialogClose);
    this.#update();
    this.#unsubscribe = sharedStore().subscribe(() => this.#update());
  }

  disconnectedCallback(): void {
    this.#part('reset-dialog')?.removeEventListener('close', this.#onDialogClose);
    this.#unsubscribe?.();
  }

  get #chapter(): string {
    return this.dataset.chapter ?? 'unsorted';
  }

  #part<T extends HTMLElement = HTMLElement>(role: string): T | null {
    return this.querySelector<T>(`[data-role="${role}"]`);
  }

  #update(): void {
    const store = sharedStore();
    const ids = [...this.querySelectorAll('dsbs-exercise')].map((exercise) => exercise.id);
    const complete = ids.filter((id) => isComplete(store.get(id))).length;
    const summary = this.#part('summary');
    if (summary) summary.textContent = `${complete} of ${ids.length} done`;
    const notice = this.#part('storage-notice');
    if (notice) notice.hidden = store.persistent;
  }

  #say(text: string, kind: 'ok' | 'error'): void {
    const message = this.#part('message');
    if (!message) return;
    message.dataset.kind = kind;
    message.textContent = text;
  }

  #export(): void {
    const fileName = `dsbs-progress-${new Date().toISOString().slice(0, 10)}.json`;
    const url = URL.createObjectURL(new Blob([sharedStore().exportJson()], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.#say(`Progress for all chapters exported as ${fileName}.`, 'ok');
  }

  async #import(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      this.#say(`Import failed: “${file.name}” is too large to be a progress file. Nothing was changed.`, 'error');
      return;
    }
    const outcome = sharedStore().importJson(await file.text());
    if (!outcome.ok) {
      this.#say(`Import failed: ${outcome.message} Nothing was changed.`, 'error');
      return;
    }
    const { added, updated, unchanged } = outcome;
    this.#say(
      `Imported “${file.name}”: ${added} new, ${updated} updated, ${unchanged} kept (already as recent or newer).`,
      'ok',
    );
  }

  #askToReset(): void {
    const dialog = this.#part<HTMLDialogElement>('reset-dialog');
    if (!dialog) return;
    dialog.returnValue = '';
    dialog.showModal();
  }

  #onDialogClose = (event: Event): void => {
    if ((event.currentTarget as HTMLDialogElement).returnValue !== 'reset') return;
    const removed = sharedStore().resetChapter(this.#chapter);
    this.#say(
      removed > 0 ? 'Progress for this chapter was reset.' : 'There was no progress to reset in this chapter.',
      'ok',
    );
  };
}
