#!/usr/bin/env bash
# The pocket-model factory must never rot: Python unit tests, then a smoke run of every model
# (a few steps on a little data, export, ONNX checks), then parity of the smoke exports.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch, onnx' 2>/dev/null; then
  echo "The model tests need PyTorch and ONNX from Debian: apt-get install -y python3-torch python3-onnx libopenblas0-pthread" >&2
  exit 1
fi
export OMP_WAIT_POLICY=PASSIVE
[ -f .cache/shapes-world/train/meta.json ] && [ -f .cache/shapes-world/train-64/meta.json ] || npm run models:data
/usr/bin/python3 -m unittest discover -s models/train/tests -t .
/usr/bin/python3 -m models.train all --smoke
node --experimental-strip-types models/train/check-parity.mjs .cache/smoke/pocket
