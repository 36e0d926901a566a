// PyTorch ↔ ONNX Runtime check of exported pocket models, in Node with onnxruntime-web (WASM):
//   node --experimental-strip-types models/train/check-parity.mjs [pocket-dir]
// 1. parity: every fixtures/<id>.parity.json — run the ONNX model on the stored inputs, report the
//    max |ONNX − PyTorch| per output;
// 2. golden: every fixtures/<id>.golden.json — rerun the sampling loop with the project's own
//    src/lib DDIM sampler and CFG (or classifier guidance) over the ONNX model(s) from the stored initial and per-step noise,
//    report the max |TS − PyTorch| of the result and how many 8-bit pixels differ.
// ORT_MODULE=<path or name> picks the onnxruntime-web build (default: 'onnxruntime-web').
// Exits 1 if a parity difference exceeds 1e-4 or a golden result exceeds 1e-4 / any pixel differs.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = resolve(import.meta.dirname, '..', '..');
const dir = resolve(process.argv[2] ?? join(repo, 'models', 'pocket'));
const ortSpecifier = process.env.ORT_MODULE ?? 'onnxruntime-web';
const ort = await import(ortSpecifier.startsWith('/') ? pathToFileURL(ortSpecifier).href : ortSpecifier);
ort.env.wasm.numThreads = 1;
const { DDIMSampler } = await import(pathToFileURL(join(repo, 'src/lib/samplers/ddim.ts')).href);
const { guideWithWeight } = await import(pathToFileURL(join(repo, 'src/lib/guidance.ts')).href);

const ARRAYS = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array };
function readBundle(jsonPath) {
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const bin = readFileSync(join(jsonPath, '..', doc.bin));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const tensors = {};
  for (const [name, t] of Object.entries(doc.tensors)) {
    tensors[name] = { dtype: t.dtype, shape: t.shape, data: new ARRAYS[t.dtype](buffer, t.byteOffset, t.length) };
  }
  return { doc, tensors };
}
const maxAbs = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const sessions = new Map();
async function session(file) {
  if (!sessions.has(file)) sessions.set(file, await ort.InferenceSession.create(readFileSync(join(dir, file)), { executionProviders: ['wasm'] }));
  return sessions.get(file);
}
const roundHalfEven = (x) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));
const toUint8 = (x) => Math.min(255, Math.max(0, roundHalfEven((Math.min(1, Math.max(-1, x)) + 1) * 127.5)));

let failed = false;
const fixtures = readdirSync(join(dir, 'fixtures')).sort();
for (const name of fixtures.filter((f) => f.endsWith('.parity.json'))) {
  const { doc, tensors } = readBundle(join(dir, 'fixtures', name));
  const s = await session(doc.model);
  const feeds = Object.fromEntries(doc.inputs.map((k) => [k, new ort.Tensor(tensors[k].dtype, tensors[k].data, tensors[k].shape)]));
  const out = await s.run(feeds);
  for (const key of doc.outputs) {
    const diff = maxAbs(out[key.slice(4)].data, tensors[key].data);
    if (!(diff <= 1e-4)) failed = true;
    console.log(`parity ${doc.model} ${key.slice(4)}: max abs diff ${diff.toExponential(2)}`);
  }
}
for (const name of fixtures.filter((f) => f.endsWith('.golden.json'))) {
  const { doc, tensors } = readBundle(join(dir, 'fixtures', name));
  const s = await session(doc.model);
  const classifierGuided = doc.model.startsWith('shapes-noisy-classifier-grad');
  const unet = classifierGuided ? await session(doc.unet) : undefined;
  const image = doc.model.startsWith('shapes-unet') || classifierGuided;
  for (const c of doc.cases) {
    const { sampler: cfg, schedule } = doc;
    const sampler = new DDIMSampler({ ...schedule, eta: c.eta, clipSample: cfg.clipSample, timestepSpacing: cfg.timestepSpacing, setAlphaToOne: cfg.setAlphaToOne });
    sampler.setTimesteps(c.numInferenceSteps);
    let x = Float32Array.from(tensors[`${c.prefix}.xT`].data);
    const n = image ? 1 : c.points;
    const itemShape = image ? [3, 32, 32] : [2];
    const size = x.length;
    for (const [i, t] of sampler.timesteps.entries()) {
      let guided;
      if (classifierGuided) {
        // ε̃ = ε(x, ∅) − s·√(1 − ᾱ_t)·∇ₓ log p(y | x_t) (Dhariwal & Nichol 2021, eq. 14)
        const xT = new ort.Tensor('float32', x, [1, 3, 32, 32]);
        const tT = new ort.Tensor('float32', Float32Array.of(t), [1]);
        const eps = (await unet.run({ x: xT, t: tT, tokens: new ort.Tensor('int32', new Int32Array(16), [1, 16]) })).eps.data;
        const grad = (await s.run({ x: xT, t: tT, y: new ort.Tensor('int32', Int32Array.of(c.y), [1]) })).grad.data;
        const k = c.scale * Math.sqrt(1 - sampler.schedule.alphasCumprod[t]);
        guided = eps.map((e, j) => e - k * grad[j]);
      } else {
      const both = new Float32Array(2 * size);
      both.set(x, 0);
      both.set(x, size);
      const feeds = { x: new ort.Tensor('float32', both, [2 * n, ...itemShape]), t: new ort.Tensor('float32', new Float32Array(2 * n).fill(t), [2 * n]) };
      if (image) feeds.tokens = new ort.Tensor('int32', tensors[`${c.prefix}.tokens`].data, [2, 16]);
      else feeds.label = new ort.Tensor('int32', Int32Array.from({ length: 2 * n }, (_, j) => (j < n ? c.label : doc.mixture.numClasses)), [2 * n]);
      const eps = (await s.run(feeds)).eps.data;
      guided = guideWithWeight(eps.subarray(0, size), eps.subarray(size), c.w);
      }
      const noise = c.eta > 0 ? tensors[`${c.prefix}.noise`].data.subarray(i * size, (i + 1) * size) : undefined;
      x = sampler.step(guided, t, x, noise).prevSample;
    }
    const ref = tensors[`${c.prefix}.x0`].data;
    const diff = maxAbs(x, ref);
    let pixels = 0;
    if (image) for (let j = 0; j < size; j++) pixels += toUint8(x[j]) !== tensors[`${c.prefix}.image`].data[j] ? 1 : 0;
    if (!(diff <= 1e-4) || pixels > 0) failed = true;
    console.log(`golden ${doc.model} ${c.prefix} (${c.caption ?? c.class ?? `class ${c.label}`}, ${c.scale !== undefined ? `s=${c.scale}` : `w=${c.w}`}, ${c.numInferenceSteps} steps, eta=${c.eta}): max abs diff ${diff.toExponential(2)}${image ? `, ${pixels} pixels differ` : ''}`);
  }
}
console.log(failed ? 'FAILED' : 'all parity and golden checks within 1e-4');
process.exit(failed ? 1 : 0);
