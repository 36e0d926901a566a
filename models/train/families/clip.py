"""The CLIP chapter's models: the pocket CLIP and its noisy image tower for CLIP guidance."""
import torch

from ..family import Export, Family
from ..nets.clip import (EMBED_DIM, ClipImageExport, ClipTextExport, NoisyClipGradExport, PocketClip,
                         contrastive_loss)
from ..paths import checkpoint_dir
from ..schedule import NUM_TRAIN_TIMESTEPS, alphas_cumprod, q_sample
from ..trainer import TrainSpec, load_checkpoint
from ..vocab import load_vocabulary
from .. import data
from .common import pct, test_set, train_set

CLIP_STEPS = 3000
NOISY_STEPS = 3000


def _pairs(smoke: bool):
    ds = train_set(smoke)
    return ds, ds.tokens.long()


def _same_caption(tokens: torch.Tensor) -> torch.Tensor:
    return (tokens[:, None, :] == tokens[None, :, :]).all(-1)


def _build(noisy: bool) -> PocketClip:
    v = load_vocabulary()
    return PocketClip(len(v.words), v.max_length, v.special('eos'), noisy=noisy)


def clip_spec(smoke: bool) -> TrainSpec:
    ds, tokens = _pairs(smoke)
    batch = 16 if smoke else 256

    def loss(model: PocketClip, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        t = tokens[idx]
        value, _ = contrastive_loss(model.image(ds.pixels(idx)), model.text(t), model.logit_scale(), _same_caption(t))
        return value

    return TrainSpec(name='clip', build=lambda: _build(False), loss=loss, default_steps=30 if smoke else CLIP_STEPS,
                     lr=1e-3, batch_size=batch, warmup=200, weight_decay=0.05,
                     describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds), 'embedding_dim': EMBED_DIM,
                               'negatives': 'in-batch; pairs with the same caption are not negatives'})


def noisy_clip_spec(smoke: bool) -> TrainSpec:
    """The image tower learns on x_t at uniform t against the *frozen* text tower of the pocket
    CLIP, so one caption embedding serves both models (GLIDE trained its noised CLIP from scratch;
    freezing the text side is the pocket simplification, said in the card)."""
    ds, tokens = _pairs(smoke)
    batch = 16 if smoke else 256
    abar = alphas_cumprod()

    def build() -> PocketClip:
        model = _build(True)
        state = load_checkpoint(checkpoint_dir('clip', smoke) / 'last.pt')
        if state is None:
            raise SystemExit('noisy-clip: train `clip` first (its text tower is reused, frozen)')
        model.text.load_state_dict({k[len('text.'):]: v for k, v in state['model'].items() if k.startswith('text.')})
        model.text.requires_grad_(False)
        return model

    def loss(model: PocketClip, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        xt = q_sample(ds.pixels(idx), t, torch.randn(batch, 3, 32, 32, generator=gen), abar)
        tok = tokens[idx]
        with torch.no_grad():
            text = model.text(tok)
        value, _ = contrastive_loss(model.image(xt, t.float()), text, model.logit_scale(), _same_caption(tok))
        return value

    return TrainSpec(name='noisy-clip', build=build, loss=loss, default_steps=30 if smoke else NOISY_STEPS,
                     lr=1e-3, batch_size=batch, warmup=200, weight_decay=0.05,
                     describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds),
                               'text_tower': 'frozen, from the pocket CLIP', 'noise': 'x_t at uniform t, linear schedule'})


def prompt_ensemble(model: PocketClip, prompts: list[list[str]]) -> torch.Tensor:
    """One class embedding per list of prompts: the mean of the normalised prompt embeddings,
    renormalised (Radford et al. 2021, §3.1.4)."""
    v = load_vocabulary()
    out = []
    for group in prompts:
        e = torch.nn.functional.normalize(model.text(v.encode_batch(group)), dim=-1).mean(0)
        out.append(torch.nn.functional.normalize(e, dim=0))
    return torch.stack(out)


def zero_shot_prompts() -> dict[str, list[list[str]]]:
    """Per attribute, per class: every caption of the grammar that names that class (the others
    vary) — the pocket version of a prompt ensemble."""
    v = load_vocabulary()
    colours, shapes, sizes = v.names('colours'), v.names('shapes'), v.names('sizes')
    phrases = [p['phrase'] for p in v.raw['positions']]
    return {
        'colour': [[f'a {c} {s}' for s in shapes] for c in colours],
        'shape': [[f'a {c} {s}' for c in colours] for s in shapes],
        'size': [[f'a {z} {c} {s}' for c in colours for s in shapes] for z in sizes],
        'position': [[f'a {c} {s} {p}' for c in colours for s in shapes] for p in phrases],
    }


def swap_colours(caption: str, colours: list[str]) -> str:
    words = caption.split(' ')
    idx = [i for i, w in enumerate(words) if w in colours]
    words[idx[0]], words[idx[1]] = words[idx[1]], words[idx[0]]
    return ' '.join(words)


def swap_relation(caption: str) -> str:
    for a, b in (('to the left of', 'to the right of'), ('above', 'below')):
        if a in caption:
            return caption.replace(a, b)
        if b in caption:
            return caption.replace(b, a)
    raise ValueError(caption)


@torch.no_grad()
def clip_metrics(model: PocketClip, smoke: bool) -> dict:
    v = load_vocabulary()
    ds = test_set(smoke)
    x = ds.pixels(torch.arange(len(ds)))
    img = torch.nn.functional.normalize(model.image(x), dim=-1)
    one = ds.column('objectCount') == 1
    out = {'test scenes': f'{len(ds)} (evaluator-test split; {int(one.sum())} with one object)',
           'learned temperature τ (logit scale 1/τ)': f'{1 / model.logit_scale().item():.4f} ({model.logit_scale().item():.1f})'}
    columns = {'colour': 'colour0', 'shape': 'shape0', 'size': 'size0', 'position': 'position0'}
    for attr, prompts in zero_shot_prompts().items():
        cls = prompt_ensemble(model, prompts)
        pred = (img[one] @ cls.t()).argmax(1)
        single = torch.nn.functional.normalize(model.text(v.encode_batch([g[0] for g in prompts])), dim=-1)
        pred1 = (img[one] @ single.t()).argmax(1)
        truth = ds.column(columns[attr])[one]
        out[f'zero-shot {attr}: ensemble of {len(prompts[0])} prompts (one prompt)'] = \
            f'{pct((pred == truth).float().mean().item())} ({pct((pred1 == truth).float().mean().item())})'
    captions = open(ds.folder / 'captions.txt').read().splitlines()[: len(ds)]
    txt = torch.nn.functional.normalize(model.text(ds.tokens), dim=-1)
    sims = txt @ img.t()  # caption i vs image j
    same = _same_caption(ds.tokens.long())
    ranks = sims.argsort(dim=1, descending=True)
    for k in (1, 5):
        hit = same.gather(1, ranks[:, :k]).any(1).float().mean().item()
        out[f'caption → image recall@{k} (among {len(ds)} scenes; any scene with the same caption counts)'] = pct(hit)
    held = data.load_dataset(*data.HELDOUT_CHECK, limit=64 if smoke else 1000)
    two = held.subset(held.column('objectCount') == 2)
    caps = open(held.folder / 'captions.txt').read().splitlines()
    caps = [caps[i] for i in (held.column('objectCount') == 2).nonzero().flatten().tolist()]
    colours = v.names('colours')
    img2 = torch.nn.functional.normalize(model.image(two.pixels(torch.arange(len(two)))), dim=-1)

    def prefers(alternative) -> float:
        a = torch.nn.functional.normalize(model.text(v.encode_batch(caps)), dim=-1)
        b = torch.nn.functional.normalize(model.text(v.encode_batch([alternative(c) for c in caps])), dim=-1)
        return ((img2 * a).sum(-1) > (img2 * b).sum(-1)).float().mean().item()

    out[f'binding probe: true caption scored above its colour-swapped twin ({len(two)} held-out two-object scenes; chance 50 %)'] = pct(prefers(lambda c: swap_colours(c, colours)))
    out['relation probe: true caption above its relation-swapped twin (same scenes; chance 50 %)'] = pct(prefers(swap_relation))
    return out


@torch.no_grad()
def noisy_clip_metrics(model: PocketClip, smoke: bool) -> dict:
    """Zero-shot colour+shape accuracy (24 classes, prompts "a {colour} {shape}") of the noisy
    image tower on one-object test scenes noised to t."""
    v = load_vocabulary()
    ds = test_set(smoke)
    ds = ds.subset(ds.column('objectCount') == 1)
    colours, shapes = v.names('colours'), v.names('shapes')
    text = torch.nn.functional.normalize(model.text(v.encode_batch([f'a {c} {s}' for c in colours for s in shapes])), dim=-1)
    truth = ds.column('colour0') * len(shapes) + ds.column('shape0')
    abar, gen = alphas_cumprod(), torch.Generator().manual_seed(7)
    out = {'test scenes': f'{len(ds)} one-object scenes (evaluator-test split)'}
    for t in (0, 250, 500, 750, 900):
        tt = torch.full((len(ds),), t)
        xt = q_sample(ds.pixels(torch.arange(len(ds))), tt, torch.randn(len(ds), 3, 32, 32, generator=gen), abar)
        img = torch.nn.functional.normalize(model.image(xt, tt.float()), dim=-1)
        out[f'zero-shot colour+shape (24 classes) at t = {t}'] = pct(((img @ text.t()).argmax(1) == truth).float().mean().item())
    return out


def _parity_images(smoke: bool) -> torch.Tensor:
    return test_set(smoke).pixels(torch.arange(3))


def _noisy_parity(net: PocketClip, smoke: bool) -> dict[str, torch.Tensor]:
    v = load_vocabulary()
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        text = net.text(v.encode_batch(['a red circle', 'a large blue square on the left', 'a green cross above a red circle']))
    return {'x': torch.randn(3, 3, 32, 32, generator=gen), 't': torch.tensor([10.0, 500.0, 990.0]), 'text': text}


def _grad_check(net: PocketClip, inputs: dict, outputs: dict) -> dict:
    x = inputs['x'].clone().requires_grad_(True)
    f = net.image(x, inputs['t'])
    cos = torch.nn.functional.cosine_similarity(f, inputs['text'], dim=-1).sum()
    (auto,) = torch.autograd.grad(cos, x)
    diff = (auto - outputs['grad']).abs().max().item()
    assert diff <= 1e-5 * max(1.0, auto.abs().max().item()) + 1e-7, f'hand-written gradient differs by {diff}'
    return {'gradVsAutogradMaxAbs': diff}


CLIP_ARCH = ('Image tower: 4 conv3×3 + SiLU layers (32↓, 64, 128↓, 128↓ channels: 32→4 px), the 4×4 map '
             'flattened (2048) and projected to 64. A CNN rather than a ViT: the noisy tower needs a closed-form '
             'input gradient (no autograd in the browser) and both towers share one architecture. '
             'Text tower: causal transformer (dim 64, 3 pre-LN blocks, 4 heads, learned positions); the state at '
             'EOS, layer-normed, projected to 64 (no bias). Loss: symmetric InfoNCE over the batch of 256 with a '
             'learned temperature (initialised at τ = 0.07, logit scale clipped at 100), as in Radford et al. '
             '2021; pairs whose captions are identical are removed from each other\'s negatives.')
CLIP_DATA = 'Scene–caption pairs of the shapes world `train` split (held-out combinations never seen).'
LOGIT = lambda net, smoke: {'logitScale': round(net.logit_scale().item(), 6), 'embeddingDim': EMBED_DIM}

FAMILIES = [
    Family(key='clip', spec=clip_spec, metrics=clip_metrics, prefer_ema=False, exports=[
        Export(id='shapes-clip-image', wrap=ClipImageExport,
               inputs={'x': ('float32', ['batch', 3, 32, 32])}, outputs={'embedding': ('float32', ['batch', EMBED_DIM])},
               parity=lambda net, smoke: {'x': _parity_images(smoke)},
               task='contrastive image encoder', title='Pocket CLIP — image tower',
               summary='32×32 scene → 64-d embedding (unnormalised); cosine similarity with the text tower\'s embedding scores a caption.',
               architecture=CLIP_ARCH, data=CLIP_DATA, entry=LOGIT),
        Export(id='shapes-clip-text', wrap=ClipTextExport,
               inputs={'tokens': ('int32', ['batch', 16])}, outputs={'embedding': ('float32', ['batch', EMBED_DIM])},
               parity=lambda net, smoke: {'tokens': load_vocabulary().encode_batch(
                   ['a red circle', 'a blue circle above a red square', 'a small cyan cross at the top'])},
               task='contrastive text encoder', title='Pocket CLIP — text tower', metrics=False,
               summary='Caption tokens (BOS … EOS, PAD) → 64-d embedding (unnormalised), read at the EOS token.',
               architecture=CLIP_ARCH, data=CLIP_DATA, entry=LOGIT),
    ]),
    Family(key='noisy-clip', spec=noisy_clip_spec, metrics=noisy_clip_metrics, prefer_ema=False, depends=('clip',), exports=[
        Export(id='shapes-noisy-clip-grad', wrap=NoisyClipGradExport,
               inputs={'x': ('float32', ['batch', 3, 32, 32]), 't': ('float32', ['batch']),
                       'text': ('float32', ['batch', EMBED_DIM])},
               outputs={'similarity': ('float32', ['batch']), 'grad': ('float32', ['batch', 3, 32, 32])},
               parity=_noisy_parity, check=_grad_check,
               task='noisy contrastive image encoder with input gradient',
               title='Noisy pocket CLIP — image tower on x_t, with ∇ₓ cos',
               summary=('x_t, t and a caption embedding from shapes-clip-text → the cosine similarity and its gradient '
                        'with respect to x_t, which CLIP guidance adds to the denoiser (GLIDE §2.4).'),
               architecture=(CLIP_ARCH.replace('Image tower: 4 conv3×3 + SiLU layers', 'Image tower: 4 conv3×3 + FiLM(t) + SiLU layers')
                             + ' The noisy tower gets t through FiLM (scale 1+γ(t), shift β(t)) after every conv. '
                             'The backward pass is written into the graph (∂cos/∂f = (ê − cos f̂)/‖f‖, the projection, '
                             'the reshape, SiLU′, the FiLM scale, ConvTranspose per conv) and checked against '
                             'torch.autograd at export.'),
               data=CLIP_DATA + ' Images noised to x_t at uniform t (linear schedule, T = 1000); text tower frozen from the pocket CLIP.',
               entry=LOGIT),
    ]),
]
