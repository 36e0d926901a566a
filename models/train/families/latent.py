"""The latent-diffusion chapter's models: the shapes autoencoder and the latent UNet."""
import torch
from torch.nn import functional as F

from ..family import Export, Family
from ..nets.autoencoder import KL_WEIGHT, LATENT_CHANNELS, LATENT_SIZE, DecoderExport, EncoderExport, KLAutoencoder
from ..nets.latent_unet import LatentUNet, LatentUNetExport
from ..paths import checkpoint_dir
from ..labels import CAPTION_DROPOUT
from ..schedule import BETA_SCHEDULE, NUM_TRAIN_TIMESTEPS, alphas_cumprod, q_sample
from ..trainer import TrainSpec
from ..vocab import load_vocabulary
from .common import batched, evaluator_accuracy, pct, psnr, test_set, train_set, trained

AE_STEPS = 3000
LATENT_UNET_STEPS = 5000
LATENT = [LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE]


def ae_spec(smoke: bool) -> TrainSpec:
    ds = train_set(smoke)
    batch = 8 if smoke else 64

    def loss(model: KLAutoencoder, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        value, _ = model.loss(ds.pixels(idx), gen)
        return value

    return TrainSpec(name='autoencoder', build=KLAutoencoder, loss=loss, default_steps=30 if smoke else AE_STEPS,
                     lr=1e-3, batch_size=batch, warmup=100, ema_decay=0.999,
                     describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds), 'kl_weight': KL_WEIGHT,
                               'reconstruction_loss': 'L1'})


@torch.no_grad()
def latent_statistics(ae: KLAutoencoder, smoke: bool) -> dict:
    """The scaling factor: 1 / standard deviation of posterior samples z = μ + σε over (up to)
    10 000 training scenes, all elements pooled (as Rombach et al. estimate it from a batch)."""
    ds = train_set(smoke)
    n = min(len(ds), 10_000)
    gen = torch.Generator().manual_seed(0)
    mean, logvar = ae.encoder(ds.pixels(torch.arange(n)))
    z = mean + torch.exp(0.5 * logvar) * torch.randn(mean.shape, generator=gen)
    return {'scalingFactor': round(1.0 / z.std().item(), 6), 'latentMean': round(z.mean().item(), 6), 'scenes': n}


@torch.no_grad()
def ae_metrics(ae: KLAutoencoder, smoke: bool) -> dict:
    ds = test_set(smoke)
    x = ds.pixels(torch.arange(len(ds)))
    recon = batched(lambda b: ae.decoder(ae.encoder(b)[0]), x)  # decode the posterior mean
    stats = latent_statistics(ae, smoke)
    acc_rec, acc_true = evaluator_accuracy(recon, ds), evaluator_accuracy(x, ds)
    out = {'test scenes': f'{len(ds)} (evaluator-test split)',
           'reconstruction PSNR (8-bit, decoding the posterior mean)': f'{psnr(recon, x):.2f} dB',
           'scaling factor (1 / std of latents over training scenes)': f"{stats['scalingFactor']:.4f}",
           'compression': '3 072 pixel values → 256 latent values (12×), spatial factor f = 4'}
    for head in ('colour', 'shape', 'size', 'position', 'colourA', 'shapeA', 'colourB', 'shapeB', 'axis'):
        out[f'evaluator accuracy, {head}: reconstructions (originals)'] = f'{pct(acc_rec[head])} ({pct(acc_true[head])})'
    return out


def latent_unet_spec(smoke: bool) -> TrainSpec:
    vocab = load_vocabulary()
    ds = train_set(smoke)
    batch = 8 if smoke else 64
    abar = alphas_cumprod()
    cache = checkpoint_dir('latent-unet', smoke) / 'posterior.pt'
    holder = {}

    def posterior() -> tuple[torch.Tensor, torch.Tensor, float]:
        """μ and σ of every training scene under the trained autoencoder, and its scaling factor,
        computed once and cached beside the checkpoint (keyed by the autoencoder's step)."""
        ae_state = torch.load(checkpoint_dir('autoencoder', smoke) / 'last.pt', map_location='cpu')
        if cache.exists():
            saved = torch.load(cache)
            if saved['ae_step'] == ae_state['step'] and saved['scenes'] == len(ds):
                return saved['mean'], saved['std'], saved['scale']
        ae = trained('autoencoder', smoke)
        mean, logvar = [], []
        for i in range(0, len(ds), 1000):
            m, lv = ae.encoder(ds.pixels(torch.arange(i, min(i + 1000, len(ds)))))
            mean.append(m)
            logvar.append(lv)
        mean, std = torch.cat(mean), torch.exp(0.5 * torch.cat(logvar))
        scale = latent_statistics(ae, smoke)['scalingFactor']
        cache.parent.mkdir(parents=True, exist_ok=True)
        torch.save({'ae_step': ae_state['step'], 'scenes': len(ds), 'mean': mean, 'std': std, 'scale': scale}, cache)
        return mean, std, scale

    holder['mean'], holder['std'], holder['scale'] = posterior()

    def loss(model: LatentUNet, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        z0 = (holder['mean'][idx] + holder['std'][idx] * torch.randn(batch, *LATENT, generator=gen)) * holder['scale']
        tokens = ds.tokens[idx].clone()
        tokens[torch.rand(batch, generator=gen) < CAPTION_DROPOUT] = vocab.pad
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        noise = torch.randn(z0.shape, generator=gen)
        return F.mse_loss(model(q_sample(z0, t, noise, abar), t.float(), tokens), noise)

    return TrainSpec(name='latent-unet', build=lambda: LatentUNet(len(vocab.words), vocab.max_length, vocab.pad),
                     loss=loss, default_steps=30 if smoke else LATENT_UNET_STEPS, lr=5e-4, batch_size=batch,
                     warmup=200, ema_decay=0.999,
                     describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds), 'caption_dropout': CAPTION_DROPOUT,
                               'latents': 'shapes-autoencoder posterior samples × scaling factor',
                               'beta_schedule': BETA_SCHEDULE, 'num_train_timesteps': NUM_TRAIN_TIMESTEPS})


def _scaling(smoke: bool) -> dict:
    return {'scalingFactor': latent_statistics(trained('autoencoder', smoke), smoke)['scalingFactor']}


def _latent_parity(net: LatentUNet, smoke: bool) -> dict[str, torch.Tensor]:
    vocab = load_vocabulary()
    gen = torch.Generator().manual_seed(1234)
    caps = [vocab.raw['evaluationCaptions']['oneObject'][0], vocab.raw['evaluationCaptions']['twoObjects'][0]]
    return {'x': torch.randn(3, *LATENT, generator=gen), 't': torch.tensor([0.0, 500.0, 999.0]),
            'tokens': torch.cat([vocab.encode_batch(caps), vocab.null_tokens(1)])}


AE_ARCH = ('Encoder: conv3×3 (32) + residual block at 32×32, strided conv4×4 to 64 channels + residual block at 16×16 '
           'and 8×8, GroupNorm + SiLU, conv3×3 to 8 channels = mean and log-variance of a diagonal Gaussian over the '
           '4×8×8 latent. Decoder: conv + residual block at 8×8, nearest ×2 + conv + residual block at 16×16 and '
           f'32×32, conv3×3 to RGB. Loss: L1 reconstruction of a posterior sample + {KL_WEIGHT:g} × KL to N(0, I) '
           '(per element). No perceptual or adversarial loss (the paper uses both; at 32×32 with flat shapes L1 '
           'suffices). EMA weights (0.999).')
AE_DATA = 'Shapes world `train` split (seeds from 0), 32×32 RGB in [−1, 1].'
LU_ARCH = ('Caption encoder as in shapes-unet (dim 128, 2 layers, trained from scratch here). UNet on 4×8×8 latents: '
           '48 channels at 8×8 and 96 at 4×4; ResBlocks (GroupNorm + SiLU, added time embedding); an attention layer '
           '(self-attention over latent pixels, then cross-attention to the caption tokens, 4 heads) after each '
           'ResBlock: 2 at 8×8, 3 at 4×4 (down, bottleneck, up). Extra outputs attn8/attn4: the cross-attention '
           'probabilities averaged over heads and over the layers of one resolution. Caption dropout '
           f'{CAPTION_DROPOUT:.0%} (null caption = all PAD) for classifier-free guidance. Same schedule and t '
           'convention as shapes-unet. EMA weights (0.999).')

FAMILIES = [
    Family(key='autoencoder', spec=ae_spec, metrics=ae_metrics, exports=[
        Export(id='shapes-ae-encoder', wrap=EncoderExport,
               inputs={'x': ('float32', ['batch', 3, 32, 32])},
               outputs={'mean': ('float32', ['batch', *LATENT]), 'logvar': ('float32', ['batch', *LATENT])},
               parity=lambda net, smoke: {'x': test_set(smoke).pixels(torch.arange(3))},
               task='autoencoder (encoder)', title='Shapes autoencoder — encoder',
               summary='32×32 image → posterior mean and log-variance of a 4×8×8 latent (unscaled; multiply by the scaling factor for the latent UNet).',
               architecture=AE_ARCH, data=AE_DATA,
               entry=lambda net, smoke: latent_statistics(net, smoke) | {'downsamplingFactor': 4}),
        Export(id='shapes-ae-decoder', wrap=DecoderExport,
               inputs={'z': ('float32', ['batch', *LATENT])}, outputs={'image': ('float32', ['batch', 3, 32, 32])},
               parity=lambda net, smoke: {'z': torch.randn(3, *LATENT, generator=torch.Generator().manual_seed(1234))},
               task='autoencoder (decoder)', title='Shapes autoencoder — decoder', metrics=False,
               summary='Unscaled 4×8×8 latent (divide the UNet\'s latents by the scaling factor) → 32×32 image in [−1, 1] (not clamped).',
               architecture=AE_ARCH, data=AE_DATA,
               entry=lambda net, smoke: {'scalingFactor': latent_statistics(net, smoke)['scalingFactor']}),
    ]),
    Family(key='latent-unet', spec=latent_unet_spec, depends=('autoencoder',), exports=[
        Export(id='shapes-latent-unet', wrap=LatentUNetExport,
               # `x` like every pocket denoiser (it holds the scaled latent z_t), so one guidance code path drives them all
               inputs={'x': ('float32', ['batch', *LATENT]), 't': ('float32', ['batch']), 'tokens': ('int32', ['batch', 16])},
               outputs={'eps': ('float32', ['batch', *LATENT]), 'attn8': ('float32', ['batch', 64, 16]),
                        'attn4': ('float32', ['batch', 16, 16])},
               parity=_latent_parity,
               task='latent text-to-image denoiser (ε-prediction) with cross-attention maps',
               title='Shapes latent UNet (cross-attention to the caption)',
               summary='ε-prediction on the shapes autoencoder\'s scaled 8×8×4 latents, conditioned on a caption; also returns its cross-attention maps.',
               architecture=LU_ARCH,
               data='Posterior samples of the shapes autoencoder on the `train` split, × the scaling factor; captions as for shapes-unet.',
               entry=lambda net, smoke: _scaling(smoke) | {'decoder': 'shapes-ae-decoder'}),
    ]),
]
