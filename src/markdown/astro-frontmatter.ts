import type { VFile } from 'vfile';

interface AstroData {
  astro?: { frontmatter?: Record<string, unknown> };
}

/** The frontmatter Astro's MDX pipeline places on the vfile; created if absent so plugins can add to it. */
export function astroFrontmatter(file: VFile): Record<string, unknown> {
  const data = file.data as AstroData;
  data.astro ??= {};
  data.astro.frontmatter ??= {};
  return data.astro.frontmatter;
}

/** Relative-looking file name for build error messages. */
export function fileLabel(file: VFile): string {
  const path = file.path ?? '<unknown file>';
  const cwd = file.cwd ?? '';
  return cwd && path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path;
}
