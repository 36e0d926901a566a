"""Pocket networks: every layer is chosen to export to ONNX opset 17 with operators that
onnxruntime-web runs on both WASM and WebGPU (see models/train/onnx_check.py)."""
