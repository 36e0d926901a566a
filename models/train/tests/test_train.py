"""Unit tests of the pocket-model factory (stdlib unittest; run from the repo root):
    python3 -m unittest discover -s models/train/tests -t .
Cross-language tests run the project's TypeScript (src/lib) in Node (scripts/run-ts.mjs)
so the Python reference sampler and schedule are checked against the code the site runs."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import torch

from models.train import mixture2d, runtime
from models.train.bundle import read_bundle, write_bundle
from models.train.nets.classifiers import NoisyClassifier
from models.train.paths import REPO
from models.train.registry import mixture2d_spec
from models.train.sampler import ddim_sample, ddim_timesteps
from models.train.schedule import alphas_cumprod, betas_for
from models.train.trainer import train
from models.train.vocab import load_vocabulary

runtime.configure()


def run_ts(script: str) -> object:
    """Evaluate an ES module snippet in Node with the repo's TypeScript; it must print JSON."""
    node = os.environ.get('NODE') or shutil.which('node') or str(Path.home() / '.node22' / 'bin' / 'node')
    with tempfile.NamedTemporaryFile('w', prefix='pocket-test-', suffix='.ts', dir=REPO / '.cache', delete=False) as f:
        f.write(script)
    try:  # scripts/run-ts.mjs bundles with esbuild (the project's way to run TypeScript in Node)
        out = subprocess.run([node, 'scripts/run-ts.mjs', f.name], cwd=REPO, capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
        (REPO / '.cache' / 'run-ts' / (Path(f.name).stem + '.mjs')).unlink(missing_ok=True)
    if out.returncode != 0:
        raise AssertionError(f'node failed ({out.returncode}):\n{out.stderr[-2000:]}')
    return json.loads(out.stdout)


(REPO / '.cache').mkdir(exist_ok=True)
LIB = str(REPO / 'src' / 'lib')


class HandWrittenGradient(unittest.TestCase):
    def test_matches_autograd(self):
        torch.manual_seed(0)
        model = NoisyClassifier(24)
        with torch.no_grad():  # non-trivial FiLM so every term of the backward pass matters
            for film in model.films:
                film.weight.normal_(0, 0.05)
                film.bias.normal_(0, 0.3)
        x = torch.randn(4, 3, 32, 32, requires_grad=True)
        t = torch.tensor([0.0, 100.0, 500.0, 999.0])
        y = torch.tensor([0, 7, 13, 23], dtype=torch.int32)
        logits, grad = model.logits_and_grad(x, t, y)
        logp = torch.log_softmax(model(x, t), 1)[torch.arange(4), y.long()].sum()
        (auto,) = torch.autograd.grad(logp, x)
        self.assertTrue(torch.allclose(logits, model(x, t)))
        rel = ((grad - auto).abs().max() / auto.abs().max()).item()
        self.assertGreater(auto.abs().max().item(), 1e-6)
        self.assertLess(rel, 1e-5)


class MatchesTypeScript(unittest.TestCase):
    def test_alphas_cumprod_linear_and_cosine(self):
        ts = run_ts(f"""import {{ createSchedule }} from '{LIB}/schedules.ts';
const out = {{}};
for (const s of ['linear', 'squaredcos_cap_v2']) out[s] = Array.from(createSchedule({{ betaSchedule: s }}).alphasCumprod);
console.log(JSON.stringify(out));""")
        for name in ('linear', 'squaredcos_cap_v2'):
            diff = (alphas_cumprod(name) - torch.tensor(ts[name], dtype=torch.float64)).abs().max().item()
            self.assertLess(diff, 1e-12, name)

    def test_timesteps(self):
        cases = [(n, s) for n in (1, 3, 10, 49, 50, 61, 100, 1000) for s in ('leading', 'trailing', 'linspace')]
        ts = run_ts(f"""import {{ discreteTimesteps }} from '{LIB}/samplers/timesteps.ts';
console.log(JSON.stringify({json.dumps(cases)}.map(([n, s]) => discreteTimesteps(1000, n, s))));""")
        for (n, s), expected in zip(cases, ts):
            self.assertEqual(ddim_timesteps(n, s), expected, f'{s} n={n}')

    def test_ddim_with_guidance_and_noise(self):
        """Same analytic ε functions through the Python reference sampler and src/lib DDIM + CFG."""
        gen = torch.Generator().manual_seed(3)
        x_T = torch.randn(12, generator=gen)
        noises = torch.randn(20, 12, generator=gen)
        w = 3.0

        # Each operation rounded to float32 exactly where the TypeScript below rounds (Math.fround).
        def eps_c(x, t):
            inner = ((0.7 * x.double()).float().double() + t / 1000).float()
            return torch.tanh(inner.double()).float()

        def eps_u(x, t):
            return ((0.5 * x.double()).float().double() - 0.1).float()

        from models.train.sampler import guide
        results = {}
        for eta, clip in ((0.0, True), (1.0, False)):
            results[f'{eta}-{clip}'] = ddim_sample(lambda x, t: guide(eps_c(x, t), eps_u(x, t), w), x_T, 20, eta=eta,
                                                   noises=noises, clip=clip).tolist()
        ts = run_ts(f"""import {{ DDIMSampler }} from '{LIB}/samplers/ddim.ts';
import {{ guideWithWeight }} from '{LIB}/guidance.ts';
const xT = Float32Array.from({json.dumps(x_T.tolist())});
const noises = {json.dumps(noises.tolist())}.map((r) => Float32Array.from(r));
const out = {{}};
for (const [eta, clip] of [[0, true], [1, false]]) {{
  const s = new DDIMSampler({{ eta, clipSample: clip }});
  s.setTimesteps(20);
  let x = xT;
  s.timesteps.forEach((t, i) => {{
    const c = x.map((v) => Math.tanh(Math.fround(Math.fround(0.7 * v) + t / 1000)));
    const u = x.map((v) => Math.fround(Math.fround(0.5 * v) - 0.1));
    x = s.step(guideWithWeight(c, u, {w}), t, x, noises[i]).prevSample;
  }});
  out[`${{eta.toFixed(1)}}-${{clip ? 'True' : 'False'}}`] = Array.from(x);
}}
console.log(JSON.stringify(out));""")
        for key, values in results.items():
            ours, theirs = torch.tensor(values, dtype=torch.float64), torch.tensor(ts[key], dtype=torch.float64)
            # Relative to the largest value: without clipping, x̂₀ at t ≈ T is huge (1/√ᾱ_T ≈ 160×).
            rel = ((ours - theirs).abs().max() / theirs.abs().max()).item()
            self.assertLess(rel, 1e-6, f'{key}: max |x| = {theirs.abs().max().item():.3g}')

    def test_caption_encoding(self):
        vocab = load_vocabulary()
        captions = [*vocab.raw['evaluationCaptions']['oneObject'], *vocab.raw['evaluationCaptions']['twoObjects']]
        ts = run_ts(f"""import {{ encodeCaption }} from '{LIB}/shapes-world/caption.ts';
console.log(JSON.stringify({json.dumps(captions)}.map((c) => Array.from(encodeCaption(c)))));""")
        self.assertEqual(vocab.encode_batch(captions).tolist(), ts)


class Checkpoints(unittest.TestCase):
    def test_split_run_equals_one_run(self):
        spec = mixture2d_spec(smoke=True)
        with tempfile.TemporaryDirectory() as tmp:
            a, b = Path(tmp) / 'a', Path(tmp) / 'b'
            train(spec, a, 24, seed=5, log_every=100)
            train(spec, b, 11, seed=5, log_every=100)
            report = train(spec, b, 24, seed=5, log_every=100)
            self.assertEqual(report['steps_this_run'], 13)
            sa, sb = torch.load(a / 'last.pt'), torch.load(b / 'last.pt')
            for key in sa['model']:
                self.assertTrue(torch.equal(sa['model'][key], sb['model'][key]), key)
                self.assertTrue(torch.equal(sa['ema'][key], sb['ema'][key]), key)


class EvaluatorTargets(unittest.TestCase):
    def test_canonical_order_of_two_objects(self):
        from models.train.data import LABEL_FIELDS, ShapesDataset
        from models.train.registry import evaluator_heads, evaluator_targets
        v = load_vocabulary()
        rel = v.names('relations')
        # count, colour0, shape0, size0, position0, colour1, shape1, size1, relation, (3 flags)
        rows = [
            [1, 2, 3, 1, 4, -1, -1, -1, -1, 1, 1, 0],                        # one object: blue cross, large, centre
            [2, 0, 0, 0, -1, 4, 3, 1, rel.index('above'), 0, 0, 0],         # red circle above magenta cross
            [2, 5, 1, 1, -1, 1, 2, 0, rel.index('right-of'), 0, 0, 0],      # cyan square right of green triangle
        ]
        labels = torch.tensor(rows)
        ds = ShapesDataset(Path('.'), {}, torch.zeros(3, 3, 32, 32, dtype=torch.uint8), torch.zeros(3, 16, dtype=torch.int32), labels)
        self.assertEqual(len(LABEL_FIELDS), labels.shape[1])
        t = dict(zip(evaluator_heads(), evaluator_targets(ds).T.tolist()))
        self.assertEqual(t['objectCount'], [0, 1, 1])
        self.assertEqual((t['colour'], t['shape'], t['size'], t['position']), ([2, -1, -1], [3, -1, -1], [1, -1, -1], [4, -1, -1]))
        # above → A = object 0 (the upper one), vertical; right-of → A = object 1 (the left one), horizontal
        self.assertEqual((t['colourA'], t['shapeA'], t['sizeA']), ([-1, 0, 1], [-1, 0, 2], [-1, 0, 0]))
        self.assertEqual((t['colourB'], t['shapeB'], t['sizeB']), ([-1, 4, 5], [-1, 3, 1], [-1, 1, 1]))
        self.assertEqual(t['axis'], [-1, 1, 0])


class Bundles(unittest.TestCase):
    def test_round_trip_and_alignment(self):
        tensors = {'a': torch.randn(3, 5), 'b': torch.arange(7, dtype=torch.int32), 'c': torch.tensor([1, 2, 255], dtype=torch.uint8),
                   'd': torch.randn(2)}
        with tempfile.TemporaryDirectory() as tmp:
            write_bundle(Path(tmp) / 'x.golden', tensors, {'note': 'test'})
            doc, back = read_bundle(Path(tmp) / 'x.golden')
        self.assertEqual(doc['note'], 'test')
        for name, tensor in tensors.items():
            self.assertTrue(torch.equal(tensor, back[name]), name)
            self.assertEqual(doc['tensors'][name]['byteOffset'] % 16, 0)


class Mixture(unittest.TestCase):
    def test_pooled_variance_is_one(self):
        x, labels = mixture2d.sample(200_000, torch.Generator().manual_seed(0))
        self.assertAlmostEqual((x ** 2).mean().item(), 1.0, delta=0.01)
        self.assertEqual(sorted(labels.unique().tolist()), list(range(mixture2d.NUM_CLASSES)))

    def test_linear_betas(self):
        b = betas_for('linear')
        self.assertEqual((b[0].item(), b[-1].item(), b.shape[0]), (1e-4, 0.02, 1000))


if __name__ == '__main__':
    unittest.main()
