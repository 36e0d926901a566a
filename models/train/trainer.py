"""A resumable training loop shared by every pocket model.

Checkpoint `.cache/checkpoints/<model>/last.pt` holds the weights, the EMA weights, the optimiser,
the step, the global torch RNG state and the batch-sampling generator's state, the wall time spent
so far and the loss log, so a run split into pieces follows the same path as one long run.
"""
import copy
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from . import runtime


@dataclass
class TrainSpec:
    name: str
    build: Callable[[], torch.nn.Module]
    loss: Callable[[torch.nn.Module, torch.Generator], torch.Tensor]
    """Draws its own batch from the generator and returns the scalar loss."""
    default_steps: int
    lr: float
    batch_size: int
    warmup: int = 200
    ema_decay: float | None = None
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    describe: dict = field(default_factory=dict)


def _lr_at(spec: TrainSpec, step: int) -> float:
    """Linear warm-up, then constant (a run can be extended without changing the schedule)."""
    return spec.lr * min(1.0, (step + 1) / max(1, spec.warmup))


def load_checkpoint(path: Path) -> dict | None:
    return torch.load(path, map_location='cpu') if path.exists() else None


def train(spec: TrainSpec, ckpt_dir: Path, steps: int, seed: int, log_every: int = 50,
          save_every: int = 500, fresh: bool = False) -> dict:
    """Train until `steps` total steps are reached (resuming from ckpt_dir/last.pt unless fresh)."""
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = ckpt_dir / 'last.pt'
    runtime.seed_everything(seed)
    model = spec.build()
    ema = copy.deepcopy(model).requires_grad_(False) if spec.ema_decay else None
    opt = torch.optim.AdamW(model.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    gen = torch.Generator().manual_seed(seed + 1)
    state = None if fresh else load_checkpoint(ckpt_path)
    step, elapsed, cpu, log = 0, 0.0, 0.0, []
    if state is not None:
        if state['seed'] != seed:
            raise SystemExit(f'{spec.name}: checkpoint was trained with seed {state["seed"]}, not {seed}; use --fresh or --seed {state["seed"]}')
        model.load_state_dict(state['model'])
        if ema is not None:
            ema.load_state_dict(state['ema'])
        opt.load_state_dict(state['optimizer'])
        gen.set_state(state['generator'])
        torch.set_rng_state(state['torch_rng'])
        step, elapsed, log = state['step'], state['elapsed_s'], state['log']
        cpu = state.get('cpu_s', 0.0)
        print(f'[{spec.name}] resumed at step {step} ({elapsed:.0f} s so far)', flush=True)

    def save() -> None:
        tmp = ckpt_path.with_suffix('.tmp')
        torch.save({
            'name': spec.name, 'seed': seed, 'step': step, 'elapsed_s': elapsed, 'cpu_s': cpu, 'log': log,
            'model': model.state_dict(), 'ema': ema.state_dict() if ema is not None else None,
            'optimizer': opt.state_dict(), 'generator': gen.get_state(), 'torch_rng': torch.get_rng_state(),
        }, tmp)
        tmp.replace(ckpt_path)

    model.train()
    start_step = step
    window, window_start = [], time.perf_counter()
    while step < steps:
        t0, c0 = time.perf_counter(), time.process_time()
        for group in opt.param_groups:
            group['lr'] = _lr_at(spec, step)
        loss = spec.loss(model, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if spec.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), spec.grad_clip)
        opt.step()
        if ema is not None:
            with torch.no_grad():
                # Warm-up of the EMA decay so early checkpoints are usable: min(d, (1+n)/(10+n)).
                d = min(spec.ema_decay, (1 + step) / (10 + step))
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(d).add_(pm.detach(), alpha=1 - d)
        step += 1
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit(f'{spec.name}: loss is {value} at step {step}')
        window.append(value)
        if step % log_every == 0 or step == steps:
            now = time.perf_counter()
            mean = sum(window) / len(window)
            log.append([step, mean, round(elapsed, 2)])
            print(f'[{spec.name}] step {step}/{steps} loss {mean:.5f} '
                  f'{(now - window_start) / len(window):.3f} s/step wall {elapsed:.0f} s', flush=True)
            window, window_start = [], now
        if step % save_every == 0:
            save()
    save()
    final = log[-1][1] if log else None
    report = {
        'model': spec.name, 'seed': seed, 'steps': step, 'steps_this_run': step - start_step,
        'batch_size': spec.batch_size, 'learning_rate': spec.lr, 'warmup_steps': spec.warmup,
        'ema_decay': spec.ema_decay, 'wall_time_s': round(elapsed, 1),
        # CPU time of all threads: on an otherwise idle machine with k threads the wall time is
        # about cpu_time / k, whatever else was running while this run was measured.
        'cpu_time_s': round(cpu, 1),
        'seconds_per_step': round(elapsed / step, 4) if step else None,
        'final_loss': final, 'loss_log': log, 'hardware': runtime.hardware(),
        'parameters': sum(p.numel() for p in model.parameters()), **spec.describe,
    }
    (ckpt_dir / 'training-report.json').write_text(json.dumps(report, indent=2) + '\n')
    return report


def load_trained(spec: TrainSpec, ckpt_dir: Path, prefer_ema: bool = True) -> tuple[torch.nn.Module, dict]:
    """The trained network (EMA weights when there are some), in eval mode, and its checkpoint."""
    state = load_checkpoint(ckpt_dir / 'last.pt')
    if state is None:
        raise SystemExit(f'{spec.name}: no checkpoint in {ckpt_dir}; train it first')
    model = spec.build()
    weights = state['ema'] if prefer_ema and state.get('ema') is not None else state['model']
    model.load_state_dict(weights)
    return model.eval(), state
