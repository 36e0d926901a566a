"""The shapes VQ tokenizer (autoregressive chapter): image ↔ 8×8 codes."""
import torch

from ..family import Export, Family
from ..nets.vq import BETA, CODE_DIM, CODEBOOK, GRID, VQDecoderExport, VQEncoderExport, VQTokenizer
from ..trainer import TrainSpec
from .common import batched, evaluator_accuracy, pct, psnr, test_set, train_set

RESTART_EVERY = 200  # steps between dead-code restarts (stopped for the last 20 % of training)
STEPS = 3000


def spec(smoke: bool) -> TrainSpec:
    ds = train_set(smoke)
    batch = 8 if smoke else 32
    steps = 30 if smoke else STEPS

    def loss(model: VQTokenizer, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        x = ds.pixels(idx)
        model.calls += 1
        if model.calls % RESTART_EVERY == 0 and model.calls < 0.8 * steps:
            # before this step's graph is built: the codebook is edited in place
            with torch.no_grad():
                model.restart_dead_codes(model.encoder(x), gen)
        value, _ = model.loss(x)
        return value

    return TrainSpec(name='vq', build=VQTokenizer, loss=loss, default_steps=steps, lr=1e-3, batch_size=batch,
                     warmup=100, describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds),
                                           'codebook': CODEBOOK, 'code_dim': CODE_DIM, 'beta': BETA,
                                           'dead_code_restart_every': RESTART_EVERY})


@torch.no_grad()
def codes_of(model: VQTokenizer, images: torch.Tensor) -> torch.Tensor:
    """[N, 8, 8] int64 codes of images in [−1, 1]."""
    return batched(lambda x: model.quantise(model.encoder(x))[0], images)


@torch.no_grad()
def metrics(model: VQTokenizer, smoke: bool) -> dict:
    ds = test_set(smoke)
    x = ds.pixels(torch.arange(len(ds)))
    codes = codes_of(model, x)
    recon = batched(lambda c: model.decode_codes(c), codes)
    counts = torch.bincount(codes.flatten(), minlength=CODEBOOK).float()
    p = counts / counts.sum()
    perplexity = torch.exp(-(p[p > 0] * p[p > 0].log()).sum()).item()
    acc_true = evaluator_accuracy(x, ds)
    acc_rec = evaluator_accuracy(recon, ds)
    out = {'test scenes': f'{len(ds)} (evaluator-test split)',
           'reconstruction PSNR (8-bit)': f'{psnr(recon, x):.2f} dB',
           'codebook usage (codes used on the test scenes)': f'{int((counts > 0).sum())} of {CODEBOOK}',
           'code perplexity (exp of the code entropy)': f'{perplexity:.1f}'}
    for head in ('colour', 'shape', 'size', 'position', 'colourA', 'shapeA', 'colourB', 'shapeB', 'axis'):
        out[f'evaluator accuracy, {head}: reconstructions (originals)'] = f'{pct(acc_rec[head])} ({pct(acc_true[head])})'
    return out


def _parity_images(smoke: bool) -> torch.Tensor:
    ds = test_set(smoke)
    return ds.pixels(torch.arange(3))


ARCH = ('Encoder: conv3×3 (32) + residual block at 32×32, strided conv4×4 to 64 channels + residual block at '
        '16×16 and again at 8×8, GroupNorm + SiLU, 1×1 conv to the code dimension 32: z_e [32, 8, 8]. '
        f'Codebook: {CODEBOOK} entries of dimension {CODE_DIM}; each cell takes its nearest entry '
        '(squared Euclidean distance). Decoder: code embeddings → conv + residual block at 8×8, nearest ×2 '
        '+ conv + residual block at 16×16 and 32×32, GroupNorm + SiLU, conv3×3 to RGB. '
        f'Loss (van den Oord et al. 2017, eq. 3): MSE reconstruction + codebook term + β = {BETA} commitment, '
        'straight-through gradient; codes unused for 200 steps are restarted on random encoder outputs '
        '(until 80 % of training) against codebook collapse.')
DATA = 'Shapes world `train` split (seeds from 0; held-out combinations excluded), 32×32 RGB in [−1, 1].'

FAMILY = Family(
    key='vq', spec=spec, metrics=metrics, prefer_ema=False,
    exports=[
        Export(id='shapes-vq-encoder', wrap=VQEncoderExport,
               inputs={'x': ('float32', ['batch', 3, 32, 32])},
               outputs={'z': ('float32', ['batch', CODE_DIM, GRID, GRID]),
                        'distances': ('float32', ['batch', GRID * GRID, CODEBOOK])},
               parity=lambda net, smoke: {'x': _parity_images(smoke)},
               task='image tokenizer (encoder)',
               title='Shapes VQ tokenizer — encoder',
               summary=('32×32 image → z_e on an 8×8 grid and the squared distance of each cell to each of the '
                        f'{CODEBOOK} codes; the code of a cell is the argmin (computed on the site).'),
               architecture=ARCH, data=DATA),
        Export(id='shapes-vq-decoder', wrap=VQDecoderExport,
               inputs={'codes': ('int32', ['batch', GRID, GRID])},
               outputs={'image': ('float32', ['batch', 3, 32, 32])},
               parity=lambda net, smoke: {'codes': codes_of(net, _parity_images(smoke)).to(torch.int32)},
               task='image tokenizer (decoder)',
               title='Shapes VQ tokenizer — decoder',
               summary='An 8×8 grid of codes (int32, 0…127, raster order) → a 32×32 image in [−1, 1] (not clamped).',
               architecture=ARCH, data=DATA),
    ])
