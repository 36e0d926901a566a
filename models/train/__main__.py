"""Train a pocket model (resuming from its last checkpoint), then export it.

    python3 -m models.train <unet|evaluator|noisy-classifier|mixture2d|all> [--steps N] [--seed S]
                            [--smoke] [--fresh] [--no-export]

Checkpoints: .cache/checkpoints/<model>/last.pt (ignored by git); a second call with a larger
--steps continues the same run. The JSON training report (steps, wall time, hardware, loss log,
final loss) is .cache/checkpoints/<model>/training-report.json and feeds the model card.

--smoke: a few steps on a little data (fresh each time, trained in two halves to exercise
resuming), export under .cache/smoke/, ONNX structural check — for CI, all models in ~2 minutes.
"""
import argparse
import json
import shutil
import sys
import time

from . import runtime
from .export import export_model, update_manifest
from .paths import checkpoint_dir
from .registry import MODELS
from .trainer import train


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog='python3 -m models.train', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model', choices=[*MODELS, 'all'])
    parser.add_argument('--steps', type=int, help='total steps to reach (default: the model\'s own)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--smoke', action='store_true')
    parser.add_argument('--fresh', action='store_true', help='ignore an existing checkpoint')
    parser.add_argument('--no-export', action='store_true')
    parser.add_argument('--threads', type=int, help='torch threads (default $POCKET_THREADS or 2)')
    args = parser.parse_args(argv)
    runtime.configure(args.threads)
    keys = list(MODELS) if args.model == 'all' else [args.model]
    started = time.perf_counter()
    entries = []
    for key in keys:
        spec = MODELS[key].spec(args.smoke)
        steps = args.steps or spec.default_steps
        ckpt = checkpoint_dir(key, args.smoke)
        if args.smoke:
            shutil.rmtree(ckpt, ignore_errors=True)
            first = train(spec, ckpt, max(1, steps // 2), args.seed, log_every=max(1, steps // 4), save_every=10 ** 9)
            report = train(spec, ckpt, steps, args.seed, log_every=max(1, steps // 4), save_every=10 ** 9)
            assert report['steps'] == steps and report['steps_this_run'] == steps - first['steps'], 'resume failed'
        else:
            report = train(spec, ckpt, steps, args.seed, fresh=args.fresh)
        print(json.dumps({k: report[k] for k in ('model', 'steps', 'wall_time_s', 'seconds_per_step',
                                                 'final_loss', 'parameters')}), flush=True)
        if not args.no_export:
            entries += export_model(key, args.smoke)
    if entries:
        update_manifest(entries, args.smoke)
    print(f'[models.train] done in {time.perf_counter() - started:.1f} s', flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
