import { describe, expect, it } from 'vitest';
import { createSession, dispose, run, sessionContract } from '../../../src/lib/runtime/ort';
import { seededValues, unetShapedModel } from './onnx-builder';

// Plain-JS forward pass of the UNet-shaped test graph (NCHW, batch 1), written from the graph's
// definition, so the runtime's parity and benchmark model is checked against something independent.
type Map3 = { c: number; h: number; w: number; data: Float32Array };

function conv3x3(x: Map3, weight: Float32Array, bias: Float32Array, cout: number, stride: number): Map3 {
  const h = Math.floor((x.h + 2 - 3) / stride) + 1;
  const w = Math.floor((x.w + 2 - 3) / stride) + 1;
  const out = new Float32Array(cout * h * w);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let s = bias[o];
        for (let c = 0; c < x.c; c++) {
          for (let ki = 0; ki < 3; ki++) {
            const yi = i * stride + ki - 1;
            if (yi < 0 || yi >= x.h) continue;
            for (let kj = 0; kj < 3; kj++) {
              const xj = j * stride + kj - 1;
              if (xj < 0 || xj >= x.w) continue;
              s += weight[((o * x.c + c) * 3 + ki) * 3 + kj] * x.data[(c * x.h + yi) * x.w + xj];
            }
          }
        }
        out[(o * h + i) * w + j] = s;
      }
    }
  }
  return { c: cout, h, w, data: out };
}

const map = (x: Map3, f: (v: number) => number): Map3 => ({ ...x, data: x.data.map(f) });

function referenceUnet(input: Float32Array, c: number, width: number, size: number): Float32Array {
  let seed = 1;
  const params = (cin: number, cout: number) => {
    const w = seededValues(cout * cin * 9, seed++, 1 / Math.sqrt(cin * 9));
    const b = seededValues(cout, seed++, 0.1);
    return { w, b, cout };
  };
  const pIn = params(c, width);
  const pDown = params(width, 2 * width);
  const pMid = params(2 * width, 2 * width);
  const pUp = params(3 * width, width);
  const pOut = params(width, c);
  const x: Map3 = { c, h: size, w: size, data: input };
  const h0 = conv3x3(x, pIn.w, pIn.b, pIn.cout, 1);
  const h1 = map(h0, (v) => v / (1 + Math.exp(-v))); // x·σ(x)
  const d1 = map(conv3x3(h1, pDown.w, pDown.b, pDown.cout, 2), (v) => Math.max(0, v));
  const m1 = map(conv3x3(d1, pMid.w, pMid.b, pMid.cout, 1), (v) => Math.max(0, v));
  const up = new Float32Array(m1.c * size * size); // nearest ×2
  for (let ch = 0; ch < m1.c; ch++)
    for (let i = 0; i < size; i++)
      for (let j = 0; j < size; j++) up[(ch * size + i) * size + j] = m1.data[(ch * m1.h + (i >> 1)) * m1.w + (j >> 1)];
  const cat: Map3 = { c: m1.c + h1.c, h: size, w: size, data: new Float32Array([...up, ...h1.data]) };
  const u3 = map(conv3x3(cat, pUp.w, pUp.b, pUp.cout, 1), (v) => Math.max(0, v));
  return conv3x3(u3, pOut.w, pOut.b, pOut.cout, 1).data;
}

describe('UNet-shaped test model (conv down, resize up, skip concat)', () => {
  it('runs in ORT exactly as the plain-JS forward pass of the same graph', async () => {
    const shape = { channels: 3, width: 8, size: 8 };
    const session = await createSession(unetShapedModel(shape), { backend: 'wasm' });
    expect(sessionContract(session).outputs).toEqual([{ name: 'eps', dtype: 'float32', shape: [1, 3, 8, 8] }]);
    const input = seededValues(3 * 8 * 8, 7, 1);
    const out = await run(session, { x: { dtype: 'float32', data: input, dims: [1, 3, 8, 8] } });
    const expected = referenceUnet(input, 3, 8, 8);
    const got = out.eps.data as Float32Array;
    expect(got.length).toBe(expected.length);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < got.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
    }
    expect(maxAbs).toBeGreaterThan(0.01); // the output is not trivially zero
    expect(maxDiff).toBeLessThan(1e-5);
    await dispose(session);
  });
});
