"""Unit tests of the model families added for the autoregressive, CLIP, latent-diffusion and GLIDE
chapters (python3 -m unittest discover -s models/train/tests -t .)."""
import unittest

import torch

from models.train import runtime
from models.train.families.clip import swap_colours, swap_relation
from models.train.families.glide import InpaintExport, base_unet, inpaint_build, random_masks
from models.train.from_onnx import load_from_onnx
from models.train.nets.ar import CaptionLM, DalleFull, DalleStep, PocketDalle
from models.train.nets.clip import PocketClip, contrastive_loss
from models.train.nets.classifiers import Evaluator
from models.train.nets.latent_unet import LatentUNet
from models.train.nets.vq import VQTokenizer
from models.train.labels import evaluator_heads
from models.train.paths import POCKET
from models.train.vocab import load_vocabulary

runtime.configure()


class NoisyClipGradient(unittest.TestCase):
    def test_hand_written_gradient_matches_autograd(self):
        torch.manual_seed(0)
        v = load_vocabulary()
        clip = PocketClip(len(v.words), v.max_length, v.special('eos'), noisy=True)
        with torch.no_grad():  # non-trivial FiLM so every term of the backward pass matters
            for film in clip.image.films:
                film.weight.normal_(0, 0.05)
                film.bias.normal_(0, 0.3)
        x = torch.randn(3, 3, 32, 32, requires_grad=True)
        t = torch.tensor([0.0, 400.0, 999.0])
        text = torch.randn(3, 64)
        cos, grad = clip.image.embedding_and_grad(x, t, text)
        ref = torch.nn.functional.cosine_similarity(clip.image(x, t), text, dim=-1)
        (auto,) = torch.autograd.grad(ref.sum(), x)
        self.assertTrue(torch.allclose(cos, ref, atol=1e-6))
        self.assertGreater(auto.abs().max().item(), 1e-6)
        self.assertLess(((grad - auto).abs().max() / auto.abs().max()).item(), 1e-5)


class Contrastive(unittest.TestCase):
    def test_symmetric_cross_entropy_by_hand(self):
        torch.manual_seed(1)
        img, txt = torch.randn(4, 8), torch.randn(4, 8)
        loss, logits = contrastive_loss(img, txt, torch.tensor(10.0))
        i = img / img.norm(dim=1, keepdim=True)
        t = txt / txt.norm(dim=1, keepdim=True)
        s = 10 * i @ t.T
        rows = -torch.log_softmax(s, 1).diagonal().mean()
        cols = -torch.log_softmax(s, 0).diagonal().mean()
        self.assertAlmostEqual(loss.item(), ((rows + cols) / 2).item(), places=5)

    def test_same_caption_is_not_a_negative(self):
        img = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
        txt = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
        same = torch.ones(2, 2, dtype=torch.bool)
        loss, _ = contrastive_loss(img, txt, torch.tensor(10.0), same)
        self.assertLess(loss.item(), 1e-3)  # without the mask it would be log 2
        loss_unmasked, _ = contrastive_loss(img, txt, torch.tensor(10.0))
        self.assertAlmostEqual(loss_unmasked.item(), torch.log(torch.tensor(2.0)).item(), places=4)

    def test_text_tower_reads_the_eos_position_only(self):
        torch.manual_seed(2)
        v = load_vocabulary()
        clip = PocketClip(len(v.words), v.max_length, v.special('eos'))
        a = v.encode_batch(['a red circle'])
        b = a.clone()
        b[0, -1] = 7  # a token after EOS (normally PAD) cannot change the embedding: causal mask
        self.assertTrue(torch.allclose(clip.text(a), clip.text(b), atol=1e-6))

    def test_probe_twins(self):
        colours = load_vocabulary().names('colours')
        self.assertEqual(swap_colours('a red circle above a blue square', colours), 'a blue circle above a red square')
        self.assertEqual(swap_relation('a red circle above a blue square'), 'a red circle below a blue square')
        self.assertEqual(swap_relation('a cyan cross to the right of a red square'), 'a cyan cross to the left of a red square')


class Autoregressive(unittest.TestCase):
    def test_cached_steps_equal_the_full_pass(self):
        torch.manual_seed(3)
        v = load_vocabulary()
        m = PocketDalle(len(v.words), v.max_length, 16, image_len=8, dim=32, layers=2, heads=2).eval()
        text = v.encode_batch(['a red circle above a blue square'])
        image = torch.randint(0, 16, (1, 8))
        seq = m.sequence(text, image)
        with torch.no_grad():
            logits, _ = DalleFull(m)(seq)
            _, past = DalleFull(m)(seq[:, :16])
            for i in range(7):
                step, past = DalleStep(m)(seq[:, 16 + i: 17 + i], past)
                self.assertLess((step - logits[:, 16 + i]).abs().max().item(), 1e-5)

    def test_teacher_forcing_is_causal(self):
        torch.manual_seed(4)
        lm = CaptionLM(30, 16, 0).eval()
        a = torch.tensor([[1, 4, 7, 13, 2, 0]])
        b = torch.tensor([[1, 4, 7, 14, 2, 0]])  # differs at position 3
        with torch.no_grad():
            la, lb = lm(a), lm(b)
        self.assertTrue(torch.allclose(la[:, :3], lb[:, :3], atol=1e-6))
        self.assertFalse(torch.allclose(la[:, 3], lb[:, 3], atol=1e-4))


class Tokenizer(unittest.TestCase):
    def test_codes_are_nearest_entries_and_the_straight_through_gradient_reaches_the_encoder(self):
        torch.manual_seed(5)
        vq = VQTokenizer(codebook=16, code_dim=8)
        x = torch.rand(2, 3, 32, 32) * 2 - 1
        z = vq.encoder(x)
        codes, zq = vq.quantise(z)
        flat = z.flatten(2).transpose(1, 2)
        brute = torch.cdist(flat, vq.codebook.weight[None]).argmin(-1).reshape(2, 8, 8)
        self.assertTrue(torch.equal(codes, brute))
        loss, _ = vq.loss(x)
        loss.backward()
        self.assertGreater(vq.encoder.net[0].weight.grad.abs().sum().item(), 0)

    def test_dead_codes_restart_on_encoder_outputs(self):
        torch.manual_seed(6)
        vq = VQTokenizer(codebook=16, code_dim=8)
        z = torch.randn(2, 8, 8, 8)
        vq.usage[:4] = 1
        n = vq.restart_dead_codes(z, torch.Generator().manual_seed(0))
        self.assertEqual(n, 12)
        pool = z.flatten(2).transpose(1, 2).reshape(-1, 8)
        for k in range(4, 16):
            self.assertTrue((pool == vq.codebook.weight[k]).all(1).any())


class CommittedModels(unittest.TestCase):
    def test_weights_read_back_from_onnx_reproduce_the_parity_fixtures(self):
        # load_from_onnx raises if the outputs differ from the fixture by more than 1e-4 (relative)
        load_from_onnx(Evaluator(evaluator_heads()), POCKET / 'shapes-evaluator.onnx',
                       POCKET / 'fixtures' / 'shapes-evaluator.parity')

    def test_inpainting_starts_as_the_base_model(self):
        torch.manual_seed(7)
        base, model = base_unet(), inpaint_build().eval()
        v = load_vocabulary()
        x, t = torch.randn(2, 3, 32, 32), torch.tensor([100.0, 800.0])
        tokens = v.encode_batch(['a red circle', 'a blue square on the left'])
        image, mask = torch.rand(2, 3, 32, 32), random_masks(2, torch.Generator().manual_seed(1))
        with torch.no_grad():
            self.assertLess((InpaintExport(model)(x, t, tokens, image, mask) - base(x, t, tokens)).abs().max().item(), 1e-5)

    def test_masks_cover_something_and_not_everything(self):
        masks = random_masks(32, torch.Generator().manual_seed(2))
        area = masks.mean(dim=(1, 2, 3))
        self.assertTrue(((area > 0.02) & (area < 0.6)).all(), area)


class LatentAttentionMaps(unittest.TestCase):
    def test_maps_are_distributions_over_caption_tokens_that_ignore_padding(self):
        torch.manual_seed(8)
        v = load_vocabulary()
        unet = LatentUNet(len(v.words), v.max_length, v.pad).eval()
        tokens = v.encode_batch(['a red circle'])
        with torch.no_grad():
            _, a8, a4 = unet.forward_with_attention(torch.randn(1, 4, 8, 8), torch.tensor([500.0]), tokens)
        self.assertEqual(tuple(a8.shape), (1, 64, 16))
        self.assertEqual(tuple(a4.shape), (1, 16, 16))
        self.assertTrue(torch.allclose(a8.sum(-1), torch.ones(1, 64), atol=1e-5))
        pad = tokens[0] == v.pad
        self.assertLess(a8[0][:, pad].max().item(), 1e-3)


if __name__ == '__main__':
    unittest.main()
