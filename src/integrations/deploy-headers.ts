/**
 * Writes the site's response headers (src/integrations/site-headers.ts) for static hosts at the end
 * of every build, with the hashes of the inline scripts this build emitted:
 * - `dist/_headers`: Netlify and Cloudflare Pages read it from the published folder;
 * - `dist/vercel.json`: Vercel reads it when dist/ is the deployed folder (`vercel deploy dist`);
 *   otherwise copy its `headers` into the project's vercel.json;
 * - `dist/_nginx-headers.conf`: `include` it in the nginx `server { }` that serves dist/.
 * The README's "Deploying" section documents them.
 */
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { ORT_ENGINE_FILES, ortPackage } from './ort-assets.ts';
import {
  CONTENT_TYPES,
  builtInlineScriptHashes,
  headerRules,
  renderHeadersFile,
  renderNginx,
  renderVercelJson,
} from './site-headers.ts';

export const DEPLOY_FILES = { headers: '_headers', vercel: 'vercel.json', nginx: '_nginx-headers.conf' } as const;

/** Site paths (`/_astro/x.onnx`) of the built files whose content type the rules set. */
function typedFiles(distDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.slice(entry.name.lastIndexOf('.')) in CONTENT_TYPES)
        out.push('/' + relative(distDir, full).split(sep).join('/'));
    }
  };
  walk(distDir);
  return out;
}

// Cloudflare Pages ignores a _headers file with more than 100 rules or lines over 2,000 characters.
const CLOUDFLARE_MAX_RULES = 100;
const CLOUDFLARE_MAX_LINE = 2000;

export default function deployHeaders(): AstroIntegration {
  return {
    name: 'dsbs-deploy-headers',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const distDir = fileURLToPath(dir);
        const { version } = await ortPackage();
        // The ORT engine is copied by ort-assets in this same hook; list it whether or not that ran first.
        const files = new Set([...typedFiles(distDir), ...ORT_ENGINE_FILES.map((f) => `/ort/${version}/${f}`)]);
        const scriptHashes = builtInlineScriptHashes(distDir);
        const rules = headerRules({ ortVersion: version, scriptHashes, files: [...files] });
        const headersFile = renderHeadersFile(rules);
        if (
          rules.length > CLOUDFLARE_MAX_RULES ||
          headersFile.split('\n').some((l) => l.length > CLOUDFLARE_MAX_LINE)
        ) {
          logger.warn(
            `${DEPLOY_FILES.headers} exceeds Cloudflare Pages' limits (${CLOUDFLARE_MAX_RULES} rules, ${CLOUDFLARE_MAX_LINE} characters a line).`,
          );
        }
        await writeFile(join(distDir, DEPLOY_FILES.headers), headersFile);
        await writeFile(join(distDir, DEPLOY_FILES.vercel), renderVercelJson(rules));
        await writeFile(join(distDir, DEPLOY_FILES.nginx), renderNginx(rules));
        logger.info(
          `wrote ${Object.values(DEPLOY_FILES).join(', ')} (${rules.length} rules, ${scriptHashes.length} inline-script hashes)`,
        );
      },
    },
  };
}
