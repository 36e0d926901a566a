"""The autoregressive chapter's language models: the caption LM and the pocket DALL·E."""
import torch

from ..family import Export, Family
from ..nets.ar import CaptionLM, DalleFull, DalleStep, PocketDalle, sample_dalle
from ..nets.vq import CODEBOOK, GRID
from ..paths import checkpoint_dir
from ..trainer import TrainSpec
from ..vocab import load_vocabulary
from .common import evaluator, pct, test_set, train_set, trained
from .vq import codes_of

LM_STEPS = 1500
DALLE_STEPS = 4000
IMAGE_LEN = GRID * GRID


def caption_lm_spec(smoke: bool) -> TrainSpec:
    vocab = load_vocabulary()
    ds = train_set(smoke)
    batch = 8 if smoke else 128

    def loss(model: CaptionLM, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        return model.loss(ds.tokens[idx])

    return TrainSpec(name='caption-lm', build=lambda: CaptionLM(len(vocab.words), vocab.max_length, vocab.pad),
                     loss=loss, default_steps=30 if smoke else LM_STEPS, lr=2e-3, batch_size=batch, warmup=100,
                     ema_decay=0.99, weight_decay=0.01,
                     describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds)})


@torch.no_grad()
def caption_lm_metrics(model: CaptionLM, smoke: bool) -> dict:
    """Per-token perplexity on the test captions (teacher forcing; BOS excluded, EOS included) and
    the share of sampled captions (temperature 1) that parse as shapes-world captions."""
    vocab = load_vocabulary()
    ds = test_set(smoke)
    tokens = ds.tokens.long()
    logits = model(tokens[:, :-1])
    target = tokens[:, 1:]
    logp = torch.log_softmax(logits, -1).gather(-1, target[..., None])[..., 0]
    keep = target != vocab.pad
    nll = -(logp * keep).sum() / keep.sum()
    gen = torch.Generator().manual_seed(0)
    n = 64 if smoke else 1000
    seq = torch.full((n, 1), vocab.special('bos'), dtype=torch.long)
    done = torch.zeros(n, dtype=torch.bool)
    for _ in range(vocab.max_length - 1):
        probs = torch.softmax(model(seq)[:, -1], -1)
        nxt = torch.multinomial(probs, 1, generator=gen)[:, 0]
        nxt[done] = vocab.pad
        done |= nxt == vocab.special('eos')
        seq = torch.cat([seq, nxt[:, None]], 1)
    words = vocab.words
    captions = [' '.join(words[i] for i in row[1:] if i > 3) for row in seq.tolist()]
    train_captions = set(open(train_set(smoke).folder / 'captions.txt').read().splitlines())
    ended = done.float().mean().item()
    return {'test captions': f'{len(ds)} (evaluator-test split)',
            'perplexity per token (test captions)': f'{nll.exp().item():.3f}',
            'sampled captions (temperature 1) that end with EOS': pct(ended),
            'sampled captions that occur in the training captions': pct(sum(c in train_captions for c in captions) / n),
            'example samples': ' · '.join(f'“{c}”' for c in captions[:4])}


def dalle_spec(smoke: bool) -> TrainSpec:
    vocab = load_vocabulary()
    ds = train_set(smoke)
    batch = 8 if smoke else 64
    cache = checkpoint_dir('dalle', smoke) / 'codes.pt'

    def codes() -> torch.Tensor:
        """The train set's 8×8 codes under the trained tokenizer, computed once and cached beside
        the checkpoint (keyed by the tokenizer's training step)."""
        vq_state = torch.load(checkpoint_dir('vq', smoke) / 'last.pt', map_location='cpu')
        if cache.exists():
            saved = torch.load(cache)
            if saved['vq_step'] == vq_state['step'] and saved['scenes'] == len(ds):
                return saved['codes']
        vq = trained('vq', smoke)
        c = codes_of(vq, ds.pixels(torch.arange(len(ds)))).reshape(len(ds), -1).to(torch.int16)
        cache.parent.mkdir(parents=True, exist_ok=True)
        torch.save({'vq_step': vq_state['step'], 'scenes': len(ds), 'codes': c}, cache)
        return c

    train_codes = codes()

    def loss(model: PocketDalle, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(0, len(ds), (batch,), generator=gen)
        value, _ = model.loss(ds.tokens[idx], train_codes[idx].long())
        return value

    return TrainSpec(name='dalle', build=lambda: PocketDalle(len(vocab.words), vocab.max_length, CODEBOOK, IMAGE_LEN),
                     loss=loss, default_steps=30 if smoke else DALLE_STEPS, lr=1e-3, batch_size=batch, warmup=200,
                     ema_decay=0.999, weight_decay=0.01,
                     describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds),
                               'image_tokens': 'shapes-vq (8×8 codes, raster order)',
                               'loss_weights': 'text 1/8, image 7/8 (Ramesh et al. 2021)'})


@torch.no_grad()
def dalle_metrics(model: PocketDalle, smoke: bool) -> dict:
    """Evaluator accuracy of samples for the held-out one-object captions at temperature 1 — a quick
    check for the card; the comparison with the diffusion models is `npm run models:eval`."""
    vocab = load_vocabulary()
    vq = trained('vq', smoke)
    captions = vocab.raw['evaluationCaptions']['oneObject'][: 2 if smoke else None]
    n = 1 if smoke else 8
    text = vocab.encode_batch([c for c in captions for _ in range(n)])
    codes = sample_dalle(model, text, 1.0, None, torch.Generator().manual_seed(0)).reshape(-1, GRID, GRID)
    ev = evaluator()
    heads = ev.split(ev(vq.decode_codes(codes).clamp(-1, 1))[0])
    colours, shapes = vocab.names('colours'), vocab.names('shapes')
    want = [[w for w in c.split(' ')] for c in captions for _ in range(n)]
    colour = sum(colours[int(heads['colour'][i].argmax())] in w for i, w in enumerate(want)) / len(want)
    shape = sum(shapes[int(heads['shape'][i].argmax())] in w for i, w in enumerate(want)) / len(want)
    return {'quick check': f'{n} samples × {len(captions)} held-out one-object captions, temperature 1, no top-k',
            'colour / shape accuracy of samples (evaluator)': f'{pct(colour)} / {pct(shape)}',
            'full table': '`npm run models:eval` (the pocket DALL·E beside the diffusion models)'}


def _dalle_parity_tokens(net: PocketDalle, smoke: bool) -> torch.Tensor:
    vocab = load_vocabulary()
    caps = [vocab.raw['evaluationCaptions']['oneObject'][0], vocab.raw['evaluationCaptions']['twoObjects'][0]]
    gen = torch.Generator().manual_seed(1234)
    image = torch.randint(0, CODEBOOK, (2, 5), generator=gen)
    return net.sequence(vocab.encode_batch(caps), image).to(torch.int32)  # 16 caption + 5 image tokens


def _dalle_step_parity(net: PocketDalle, smoke: bool) -> dict[str, torch.Tensor]:
    tokens = _dalle_parity_tokens(net, smoke)
    with torch.no_grad():
        _, past = DalleFull(net)(tokens[:, :-1])
    return {'token': tokens[:, -1:], 'past': past}


LM_ARCH = ('Word-level decoder-only transformer: token + learned position embeddings (dim 64), 2 pre-LN blocks '
           '(4 heads, causal mask, GELU MLP ×4), final LayerNorm, linear head to the 30 words. Teacher forcing '
           'on [BOS, words…, EOS]; PAD targets ignored. EMA weights (0.99).')
DALLE_ARCH = ('Decoder-only transformer over one token stream: ids 0…29 are caption words, 30 + k is image code k '
              f'of the shapes VQ tokenizer ({CODEBOOK} codes). 80 positions: 16 caption tokens (PAD-filled) then '
              '64 image tokens in raster order; learned position embeddings (dim 128); 4 pre-LN blocks (4 heads, '
              'causal mask, GELU MLP ×4); an image head (128 → 128 codes) and, for training only, a text head. '
              'Loss: ⅛ text cross-entropy + ⅞ image cross-entropy (Ramesh et al. 2021). EMA weights (0.999).')
DALLE_DATA = ('Shapes world `train` split captions with the 8×8 codes of their images under `shapes-vq-encoder` '
              '(computed once after the tokenizer was trained).')
KV = ['batch', 8, 4, 'positions', 32]  # [B, 2·layers, heads, positions, head dim]

FAMILIES = [
    Family(key='caption-lm', spec=caption_lm_spec, metrics=caption_lm_metrics, exports=[
        Export(id='shapes-caption-lm', wrap=lambda m: m,
               inputs={'tokens': ('int32', ['batch', 'sequence'])},
               outputs={'logits': ('float32', ['batch', 'sequence', len(load_vocabulary().words)])},
               parity=lambda net, smoke: {'tokens': load_vocabulary().encode_batch(
                   [load_vocabulary().raw['evaluationCaptions']['twoObjects'][0], 'a small red circle'])[:, :12]},
               task='caption language model (next word)',
               title='Shapes-world caption language model',
               summary='p(next word | words so far) over the 30-word shapes-world vocabulary: the offline default of the next-token widget.',
               architecture=LM_ARCH,
               data='Captions of the shapes world `train` split (seeds from 0), tokenised as in vocabulary.json.'),
    ]),
    Family(key='dalle', spec=dalle_spec, metrics=dalle_metrics, depends=('vq',), exports=[
        Export(id='shapes-dalle', wrap=DalleFull,
               inputs={'tokens': ('int32', ['batch', 'sequence'])},
               outputs={'logits': ('float32', ['batch', 'sequence', CODEBOOK]), 'present': ('float32', KV)},
               parity=lambda net, smoke: {'tokens': _dalle_parity_tokens(net, smoke)},
               task='text-to-image transformer (image tokens), full pass',
               title='Pocket DALL·E — full pass',
               summary=('Caption (16 tokens) + image tokens so far (30 + code) → the distribution of the next image '
                        'code at every position (row 15 + j is image token j) and the key/value cache.'),
               architecture=DALLE_ARCH, data=DALLE_DATA,
               entry=lambda net, smoke: {'imageTokenOffset': net.text_vocab, 'codebookSize': CODEBOOK,
                                         'imageTokens': IMAGE_LEN, 'textTokens': net.text_len,
                                         'tokenizer': 'shapes-vq-decoder'}),
        Export(id='shapes-dalle-step', wrap=DalleStep,
               inputs={'token': ('int32', ['batch', 1]), 'past': ('float32', KV)},
               outputs={'logits': ('float32', ['batch', CODEBOOK]), 'present': ('float32', KV)},
               parity=_dalle_step_parity, metrics=False,
               task='text-to-image transformer (image tokens), one cached step',
               title='Pocket DALL·E — one step with a key/value cache',
               summary=('One token (30 + code) and the cache of the P positions before it → the next image code\'s '
                        'logits and the cache of P + 1 positions: sampling 64 tokens costs 64 small calls.'),
               architecture=DALLE_ARCH + ' Same weights as shapes-dalle.', data=DALLE_DATA,
               entry=lambda net, smoke: {'imageTokenOffset': net.text_vocab, 'codebookSize': CODEBOOK}),
    ]),
]
