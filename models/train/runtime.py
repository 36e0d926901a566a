"""Process-wide settings: threads, seeds, hardware description."""
import os
import platform
import random

import torch


def configure(threads: int | None = None) -> None:
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
    torch.set_num_threads(threads or int(os.environ.get('POCKET_THREADS', '2')))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def hardware() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        'cpu': cpu,
        'logical_cpus': os.cpu_count(),
        'torch_threads': torch.get_num_threads(),
        'torch': torch.__version__,
        'python': platform.python_version(),
        'omp_wait_policy': os.environ.get('OMP_WAIT_POLICY'),
    }
