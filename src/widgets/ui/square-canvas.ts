/**
 * What a square, devicePixelRatio-aware canvas needs to redraw: its size in device pixels (from a
 * ResizeObserver) and a tick when the colour scheme changes (its colours come from CSS variables).
 * Returns the cleanup for Svelte's onMount.
 */
export function observeSquareCanvas(
  canvas: HTMLCanvasElement,
  onPixelSize: (size: number) => void,
  onThemeChange: () => void,
): () => void {
  const observer = new ResizeObserver((entries) => {
    const width = entries[0]?.contentRect.width ?? 0;
    onPixelSize(Math.max(1, Math.round(width * (window.devicePixelRatio || 1))));
  });
  observer.observe(canvas);
  const scheme = window.matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', onThemeChange);
  return () => {
    observer.disconnect();
    scheme.removeEventListener('change', onThemeChange);
  };
}
