#!/usr/bin/env bash
# Serve Qwen2.5-7B with vLLM's OpenAI-compatible server on one GPU.
# The model path points at ./qwen2.5-7b (its config.json is what LLM Footprint reads); on a real machine it would
# be a local snapshot of Qwen/Qwen2.5-7B with its weights.
set -euo pipefail

vllm serve ./qwen2.5-7b \
  --served-model-name qwen2.5-7b \
  --dtype bfloat16 \
  --max-model-len 32768 \
  --max-num-seqs 64 \
  --gpu-memory-utilization 0.90 \
  --enable-prefix-caching \
  --port 8000
