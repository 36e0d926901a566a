/**
 * Serves onnxruntime-web's engine files from the site itself under a versioned path
 * (`/ort/<version>/`), never from a CDN: copied into the build output, and served from
 * node_modules by the dev server. Only the engine ort.ts uses is shipped (the JSEP build: WASM +
 * WebGPU in one file; see ort.ts for why).
 *
 * Also sets the worker bundle format to ES modules: the runtime worker is a module worker and
 * ORT loads its engine with a dynamic import().
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** The engine files ort.ts's build loads from `wasmPaths`. */
export const ORT_ENGINE_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'] as const;

const require = createRequire(import.meta.url);

export async function ortPackage(): Promise<{ version: string; distDir: string }> {
  // The package's exports hide package.json; its Node entry lives in dist/.
  const distDir = dirname(require.resolve('onnxruntime-web'));
  const { version } = JSON.parse(await readFile(join(distDir, '..', 'package.json'), 'utf8')) as { version: string };
  return { version, distDir };
}

const MIME: Record<string, string> = { '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

export default function ortAssets(): AstroIntegration {
  return {
    name: 'dsbs-ort-assets',
    hooks: {
      'astro:config:setup': async ({ config, updateConfig, logger }) => {
        // The dev middleware answers before Astro does, so it sends the site's headers (COOP/COEP) itself.
        const siteHeaders = Object.entries(config.server?.headers ?? {});
        const { version, distDir } = await ortPackage();
        const prefix = `/ort/${version}/`;
        updateConfig({
          vite: {
            worker: { format: 'es' },
            resolve: {
              // The package's browser default (ort.bundle.min.mjs) references the engine with
              // new URL('…jsep.wasm', import.meta.url), which makes Vite emit a second, hashed 27 MB
              // copy. ort.min.mjs (the "extern wasm" build) loads the engine only from wasmPaths.
              alias: [{ find: /^onnxruntime-web$/, replacement: join(distDir, 'ort.min.mjs') }],
            },
            plugins: [
              {
                name: 'dsbs-ort-assets-dev',
                apply: 'serve',
                configureServer(server) {
                  server.middlewares.use((req, res, next) => {
                    const path = req.url?.split('?')[0] ?? '';
                    if (!path.startsWith(prefix)) return next();
                    const file = path.slice(prefix.length);
                    if (!(ORT_ENGINE_FILES as readonly string[]).includes(file)) return next();
                    res.setHeader(
                      'Content-Type',
                      MIME[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
                    );
                    res.setHeader('Cache-Control', 'no-cache');
                    for (const [name, value] of siteHeaders) if (value !== undefined) res.setHeader(name, value);
                    createReadStream(join(distDir, file)).pipe(res);
                  });
                },
              },
            ],
          },
        });
        logger.debug(`ORT ${version} engine served at ${prefix}`);
      },
      'astro:build:done': async ({ dir, logger }) => {
        const { version, distDir } = await ortPackage();
        const target = join(fileURLToPath(dir), 'ort', version);
        await mkdir(target, { recursive: true });
        let bytes = 0;
        for (const file of ORT_ENGINE_FILES) {
          const size = (await stat(join(distDir, file))).size;
          // The hook can run once per build environment; copy each file once.
          const existing = await stat(join(target, file)).catch(() => null);
          if (existing?.size !== size) await copyFile(join(distDir, file), join(target, file));
          bytes += size;
        }
        logger.info(`copied ORT ${version} engine (${(bytes / 2 ** 20).toFixed(1)} MiB) to /ort/${version}/`);
      },
    },
  };
}
