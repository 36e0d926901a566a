"""The GLIDE chapter's models: the 32 → 64 upsampler of the cascade and the inpainting UNet."""
import math

import torch
from torch.nn import functional as F

from .. import data
from ..family import Export, Family
from ..from_onnx import load_from_onnx
from ..labels import CAPTION_DROPOUT, SMOKE_SCENES
from ..nets.unet import TextUNet
from ..nets.upsampler import UPSAMPLER_CHANNELS, Upsampler
from ..paths import POCKET
from ..sampler import ddim_sample, guide
from ..schedule import NUM_TRAIN_TIMESTEPS, alphas_cumprod, q_sample
from ..trainer import TrainSpec
from ..vocab import load_vocabulary
from .common import evaluator, pct, psnr, test_set, train_set

UPSAMPLER_STEPS = 4000
INPAINT_STEPS = 1500
AUG_MAX = 600           # augmentation levels s ∈ [0, 600) in training (index into the same schedule)
AUG_LEVELS = (0, 100, 250, 450)  # reported in the card
METRIC_STEPS = 50


def _pairs(smoke: bool) -> tuple[data.ShapesDataset, data.ShapesDataset]:
    """(32×32, 64×64) renderings of the same training scenes (same seeds)."""
    hi = data.load_dataset(*data.DIFFUSION_TRAIN, limit=SMOKE_SCENES if smoke else None, scale=2)
    lo = data.load_dataset(*data.DIFFUSION_TRAIN, limit=len(hi))
    assert torch.equal(lo.tokens[: len(hi)], hi.tokens), 'the 32×32 and 64×64 sets are not the same scenes'
    return lo, hi


def augment(low: torch.Tensor, s: torch.Tensor, noise: torch.Tensor, abar: torch.Tensor) -> torch.Tensor:
    """Conditioning augmentation: z_s = √ᾱ_s z + √(1 − ᾱ_s) ε (Ho et al. 2021, §4.1, Gaussian)."""
    return q_sample(low, s, noise, abar)


def upsampler_spec(smoke: bool) -> TrainSpec:
    lo, hi = _pairs(smoke)
    batch = 8 if smoke else 32
    abar = alphas_cumprod()

    def loss(model: Upsampler, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(hi), (batch,), generator=gen)
        # one random 32×32 crop per batch at an even offset, so the 16×16 low-resolution crop aligns
        ox, oy = (2 * torch.randint(0, 17, (2,), generator=gen)).tolist()
        x0 = hi.pixels(idx)[:, :, oy: oy + 32, ox: ox + 32]
        low = lo.pixels(idx)[:, :, oy // 2: oy // 2 + 16, ox // 2: ox // 2 + 16]
        s = torch.randint(0, AUG_MAX, (batch,), generator=gen)
        low = augment(low, s, torch.randn(low.shape, generator=gen), abar)
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        return F.mse_loss(model(q_sample(x0, t, noise, abar), t.float(), low, s.float()), noise)

    return TrainSpec(name='upsampler', build=Upsampler, loss=loss, default_steps=30 if smoke else UPSAMPLER_STEPS,
                     lr=5e-4, batch_size=batch, warmup=200, ema_decay=0.999,
                     describe={'dataset': f'{hi.folder} with {lo.folder}', 'dataset_scenes': len(hi),
                               'crops': '32×32 of the 64×64 image, 16×16 of the 32×32 one (even offsets)',
                               'augmentation_levels': f'uniform in [0, {AUG_MAX})'})


def base_unet() -> TextUNet:
    """The committed shapes-unet, weights read back from its ONNX file."""
    v = load_vocabulary()
    return load_from_onnx(TextUNet(len(v.words), v.max_length, v.pad), POCKET / 'shapes-unet.onnx',
                          POCKET / 'fixtures' / 'shapes-unet.parity').requires_grad_(False)


@torch.no_grad()
def upsample(model: Upsampler, low: torch.Tensor, s: int, gen: torch.Generator, steps: int) -> torch.Tensor:
    abar = alphas_cumprod()
    sv = torch.full((len(low),), s)
    z = augment(low, sv, torch.randn(low.shape, generator=gen), abar)
    x_T = torch.randn(len(low), 3, 2 * low.shape[2], 2 * low.shape[3], generator=gen)
    return ddim_sample(lambda x, t: model(x, torch.full((len(x),), t), z, sv.float()), x_T, steps,
                       use_clipped_model_output=True)


@torch.no_grad()
def upsampler_metrics(model: Upsampler, smoke: bool) -> dict:
    steps = 2 if smoke else METRIC_STEPS
    n = 8 if smoke else 200
    hi = data.load_dataset(*data.EVALUATOR_TEST, limit=n, scale=2)
    lo = data.load_dataset(*data.EVALUATOR_TEST, limit=n)
    x_hi, x_lo = hi.pixels(torch.arange(n)), lo.pixels(torch.arange(n))
    bilinear = F.interpolate(x_lo, scale_factor=2.0, mode='bilinear', align_corners=False)
    out = {'PSNR test': f'{n} test scenes: true 32×32 render → 64×64, against the true 64×64 render; DDIM {steps} steps',
           'PSNR of bilinear upsampling (baseline)': f'{psnr(bilinear, x_hi):.2f} dB'}
    for s in AUG_LEVELS:
        up = upsample(model, x_lo, s, torch.Generator().manual_seed(s), steps)
        out[f'PSNR, augmentation s = {s}'] = f'{psnr(up, x_hi):.2f} dB'
    # Base samples of the pixel UNet (held-out one-object captions, w = 3) → upsampled → the
    # evaluator (on the 2×2-averaged result, its input size) against the base samples themselves.
    v = load_vocabulary()
    captions = v.raw['evaluationCaptions']['oneObject'][: 2 if smoke else None]
    k = 1 if smoke else 8
    unet = base_unet()
    tokens = v.encode_batch([c for c in captions for _ in range(k)])
    null = v.null_tokens(len(tokens))
    gen = torch.Generator().manual_seed(0)
    x_T = torch.randn(len(tokens), 3, 32, 32, generator=gen)

    def eps(x, t):
        e = unet(torch.cat([x, x]), torch.full((2 * len(x),), t), torch.cat([tokens, null]))
        return guide(e[: len(x)], e[len(x):], 3.0)

    base = ddim_sample(eps, x_T, steps, use_clipped_model_output=True)
    ev = evaluator()
    colours, shapes = v.names('colours'), v.names('shapes')
    want = [c.split(' ') for c in captions for _ in range(k)]

    def accuracy(images32: torch.Tensor) -> str:
        heads = ev.split(ev(images32.clamp(-1, 1))[0])
        c = sum(colours[int(heads['colour'][i].argmax())] in w for i, w in enumerate(want)) / len(want)
        sh = sum(shapes[int(heads['shape'][i].argmax())] in w for i, w in enumerate(want)) / len(want)
        return f'{pct(c)} / {pct(sh)}'

    out[f'evaluator colour / shape: {len(base)} base samples (32×32, w = 3)'] = accuracy(base)
    for s in AUG_LEVELS:
        up = upsample(model, base, s, torch.Generator().manual_seed(100 + s), steps)
        out[f'evaluator colour / shape: the same, upsampled with s = {s} (then 2×2-averaged)'] = accuracy(F.avg_pool2d(up, 2))
    return out


# ---------------------------------------------------------------- inpainting

def random_masks(n: int, gen: torch.Generator, size: int = 32) -> torch.Tensor:
    """[n, 1, size, size] masks (1 = to be filled): half boxes (6–20 px a side), half brush strokes
    (3–6 segments of a random walk drawn with discs of radius 2–4 px)."""
    masks = torch.zeros(n, 1, size, size)
    yy, xx = torch.meshgrid(torch.arange(size) + 0.5, torch.arange(size) + 0.5, indexing='ij')
    for i in range(n):
        if torch.rand((), generator=gen) < 0.5:
            w, h = torch.randint(6, 21, (2,), generator=gen).tolist()
            x0 = int(torch.randint(0, size - w + 1, (), generator=gen))
            y0 = int(torch.randint(0, size - h + 1, (), generator=gen))
            masks[i, 0, y0: y0 + h, x0: x0 + w] = 1
        else:
            x, y = (torch.rand(2, generator=gen) * size).tolist()
            radius = 2 + 2 * float(torch.rand((), generator=gen))
            for _ in range(int(torch.randint(3, 7, (), generator=gen))):
                angle = 2 * math.pi * float(torch.rand((), generator=gen))
                length = 4 + 8 * float(torch.rand((), generator=gen))
                for f in torch.linspace(0, 1, 8).tolist():
                    cx, cy = x + f * length * math.cos(angle), y + f * length * math.sin(angle)
                    masks[i, 0][(xx - cx) ** 2 + (yy - cy) ** 2 <= radius ** 2] = 1
                x = min(max(x + length * math.cos(angle), 0), size)
                y = min(max(y + length * math.sin(angle), 0), size)
    return masks


class InpaintExport(torch.nn.Module):
    """x [B,3,32,32] = x_t, t [B], tokens [B,16], image [B,3,32,32] (the picture being edited; its
    masked part is ignored), mask [B,1,32,32] (1 = fill) → eps. The graph forms the masked image
    image·(1 − mask) and feeds [x_t, masked image, mask] as 7 channels (GLIDE §3.3)."""

    def __init__(self, unet: TextUNet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t, tokens, image, mask):
        return self.unet(torch.cat([x, image * (1 - mask), mask], 1), t, tokens)


def inpaint_build() -> TextUNet:
    """The committed text-to-image UNet with 4 more input channels whose weights start at zero,
    so before fine-tuning it is exactly the base model (GLIDE §3.3)."""
    v = load_vocabulary()
    base = base_unet()
    model = TextUNet(len(v.words), v.max_length, v.pad, in_channels=7)
    state = base.state_dict()
    w = state['conv_in.weight']
    state['conv_in.weight'] = torch.cat([w, torch.zeros(w.shape[0], 4, *w.shape[2:])], 1)
    model.load_state_dict(state)
    return model


def inpaint_spec(smoke: bool) -> TrainSpec:
    vocab = load_vocabulary()
    ds = train_set(smoke)
    batch = 8 if smoke else 64
    abar = alphas_cumprod()

    def loss(model: TextUNet, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        x0 = ds.pixels(idx)
        mask = random_masks(batch, gen)
        tokens = ds.tokens[idx].clone()
        tokens[torch.rand(batch, generator=gen) < CAPTION_DROPOUT] = vocab.pad
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        xt = q_sample(x0, t, noise, abar)
        return F.mse_loss(model(torch.cat([xt, x0 * (1 - mask), mask], 1), t.float(), tokens), noise)

    return TrainSpec(name='inpaint', build=inpaint_build, loss=loss, default_steps=30 if smoke else INPAINT_STEPS,
                     lr=1e-4, batch_size=batch, warmup=100, ema_decay=0.999,
                     describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds), 'caption_dropout': CAPTION_DROPOUT,
                               'initialisation': 'shapes-unet (committed ONNX), new input channels zero',
                               'masks': 'half boxes 6–20 px, half brush strokes (discs of radius 2–4 px)'})


def object_masks(ds: data.ShapesDataset, margin: float = 2.0) -> torch.Tensor:
    """A box around object 0 of each scene (its radius + margin), from the dataset's geometry."""
    geometry = torch.from_numpy(
        __import__('numpy').fromfile(ds.folder / 'geometry.f32', dtype='<f4', count=len(ds) * 6).reshape(len(ds), 2, 3))
    masks = torch.zeros(len(ds), 1, 32, 32)
    for i, (cx, cy, r) in enumerate(geometry[:, 0].tolist()):
        x0, x1 = max(0, math.floor(cx - r - margin)), min(32, math.ceil(cx + r + margin))
        y0, y1 = max(0, math.floor(cy - r - margin)), min(32, math.ceil(cy + r + margin))
        masks[i, 0, y0:y1, x0:x1] = 1
    return masks


def seam(images: torch.Tensor, masks: torch.Tensor) -> float:
    """Mean |difference| of neighbouring pixel pairs that straddle the mask border (one inside, one
    outside), over both axes — large when the fill does not continue its surroundings."""
    total, count = 0.0, 0
    for dim in (2, 3):
        a, b = images.narrow(dim, 0, 31), images.narrow(dim, 1, 31)
        ma, mb = masks.narrow(dim, 0, 31), masks.narrow(dim, 1, 31)
        cross = (ma != mb).expand_as(a)
        total += (a - b).abs()[cross].sum().item()
        count += int(cross.sum())
    return total / max(1, count)


@torch.no_grad()
def inpaint_metrics(model: TextUNet, smoke: bool) -> dict:
    """The fine-tuned model against replacement with the unmodified UNet on the same scenes, masks,
    captions, noise and sampler (DDIM 50 steps, η = 0, w = 3): the evaluator's colour/shape of the
    object that was masked out, and the seam at the mask border. Replacement: after every step the
    known region of x is reset to a fresh sample of q(x_t | x_0) (Song et al. 2021; GLIDE §3.3 notes
    it lacks the context of the known region and leaves seams)."""
    v = load_vocabulary()
    steps = 2 if smoke else METRIC_STEPS
    ds = test_set(smoke)
    ds = ds.subset((ds.column('objectCount') == 1))
    n = min(len(ds), 8 if smoke else 128)
    ds = ds.subset(torch.arange(len(ds)) < n)
    x0, masks = ds.pixels(torch.arange(n)), object_masks(ds)
    tokens, null = ds.tokens, v.null_tokens(n)
    abar = alphas_cumprod()
    base = base_unet()
    gen = torch.Generator().manual_seed(0)
    x_T = torch.randn(n, 3, 32, 32, generator=gen)

    def fine_tuned(x, t):
        tt = torch.full((2 * n,), t)
        e = model(torch.cat([torch.cat([x, x]), torch.cat([x0, x0]) * (1 - torch.cat([masks, masks])),
                             torch.cat([masks, masks])], 1), tt, torch.cat([tokens, null]))
        return guide(e[:n], e[n:], 3.0)

    def plain(x, t):
        e = base(torch.cat([x, x]), torch.full((2 * n,), t), torch.cat([tokens, null]))
        return guide(e[:n], e[n:], 3.0)

    noise_gen = torch.Generator().manual_seed(1)

    def replace(x, t_prev):
        known = q_sample(x0, torch.full((n,), t_prev), torch.randn(x0.shape, generator=noise_gen), abar) if t_prev >= 0 else x0
        return x * masks + known * (1 - masks)

    a = ddim_sample(fine_tuned, x_T, steps, use_clipped_model_output=True)
    b = ddim_sample(plain, replace(x_T, NUM_TRAIN_TIMESTEPS - 1), steps, use_clipped_model_output=True, after_step=replace)
    ev = evaluator()
    out = {'test': f'{n} one-object test scenes; the mask is a box over the object (+2 px); the caption is the scene\'s own; '
                   f'DDIM {steps} steps, w = 3; results composited onto the known pixels'}
    for name, img in (('fine-tuned (7-channel) model', a), ('replacement, unmodified shapes-unet', b)):
        img = (img * masks + x0 * (1 - masks)).clamp(-1, 1)
        heads = ev.split(ev(img)[0])
        c = (heads['colour'].argmax(1) == ds.column('colour0')).float().mean().item()
        s = (heads['shape'].argmax(1) == ds.column('shape0')).float().mean().item()
        out[f'{name}: colour / shape of the filled-in object (evaluator)'] = f'{pct(c)} / {pct(s)}'
        out[f'{name}: seam, mean |Δ| across the mask border (original image: {seam(x0, masks):.3f})'] = f'{seam(img, masks):.3f}'
    return out


INPAINT_CONTRACT = {'x': ('float32', ['batch', 3, 32, 32]), 't': ('float32', ['batch']), 'tokens': ('int32', ['batch', 16]),
                    'image': ('float32', ['batch', 3, 32, 32]), 'mask': ('float32', ['batch', 1, 32, 32])}


def _inpaint_parity(net: TextUNet, smoke: bool) -> dict[str, torch.Tensor]:
    v = load_vocabulary()
    gen = torch.Generator().manual_seed(1234)
    caps = [v.raw['evaluationCaptions']['oneObject'][0], v.raw['evaluationCaptions']['twoObjects'][0]]
    return {'x': torch.randn(3, 3, 32, 32, generator=gen), 't': torch.tensor([0.0, 500.0, 999.0]),
            'tokens': torch.cat([v.encode_batch(caps), v.null_tokens(1)]),
            'image': test_set(smoke).pixels(torch.arange(3)), 'mask': random_masks(3, gen)}


def _upsampler_parity(net: Upsampler, smoke: bool) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(1234)
    return {'x': torch.randn(2, 3, 64, 64, generator=gen), 't': torch.tensor([10.0, 700.0]),
            'low': test_set(smoke).pixels(torch.arange(2)), 's': torch.tensor([0.0, 250.0])}


FAMILIES = [
    Family(key='upsampler', spec=upsampler_spec, metrics=upsampler_metrics, exports=[
        Export(id='shapes-upsampler', wrap=lambda m: m,
               inputs={'x': ('float32', ['batch', 3, 'height', 'width']), 't': ('float32', ['batch']),
                       'low': ('float32', ['batch', 3, 'lowHeight', 'lowWidth']), 's': ('float32', ['batch'])},
               outputs={'eps': ('float32', ['batch', 3, 'height', 'width'])},
               parity=_upsampler_parity,
               task='super-resolution denoiser 32 → 64 (ε-prediction)',
               title='Shapes upsampler 32×32 → 64×64 (cascade stage 2)',
               summary=('ε̂(x_t, t | z_s, s): denoises a 64×64 image given its 32×32 version z, noise-augmented to level s '
                        '(z_s = √ᾱ_s z + √(1 − ᾱ_s) ε, computed by the caller); fully convolutional.'),
               architecture=(f'UNet without attention, channels {"/".join(map(str, UPSAMPLER_CHANNELS))} at full, ½ and ¼ '
                             'resolution; input = x_t concatenated with the bilinearly upsampled low-resolution image '
                             '(6 channels); the embeddings of t and of the augmentation level s (sinusoidal → MLP) are '
                             'added and enter every ResBlock. No caption. EMA weights (0.999). Same schedule and t '
                             'convention as shapes-unet; s indexes the same schedule.'),
               data=('The first 20 000 scenes of the shapes world `train` split rendered at 64×64 and at 32×32 (same '
                     'seeds): random 32×32 crops at even offsets with the matching 16×16 low-resolution crops; s uniform '
                     f'in [0, {AUG_MAX}).'),
               entry=lambda net, smoke: {'augmentationMax': AUG_MAX, 'scale': 2}),
    ]),
    Family(key='inpaint', spec=inpaint_spec, metrics=inpaint_metrics, exports=[
        Export(id='shapes-inpaint', wrap=InpaintExport, inputs=INPAINT_CONTRACT,
               outputs={'eps': ('float32', ['batch', 3, 32, 32])}, parity=_inpaint_parity,
               task='text-conditional inpainting denoiser (ε-prediction)',
               title='Shapes inpainting UNet (shapes-unet fine-tuned with a mask)',
               summary=('ε̂(x_t, t, c | masked image, mask): fills the masked region to match the caption and the rest '
                        'of the picture; the null caption (all PAD) gives the unconditional branch for guidance.'),
               architecture=('shapes-unet with 7 input channels: x_t, the masked image image·(1 − mask) and the mask '
                             '(GLIDE §3.3). Initialised from the committed shapes-unet (weights read back from its '
                             'ONNX file), the 4 new input channels at zero, then fine-tuned. Caption dropout '
                             f'{CAPTION_DROPOUT:.0%}. EMA weights (0.999).'),
               data='Shapes world `train` split with random masks: half boxes (6–20 px a side), half brush strokes.'),
    ]),
]
