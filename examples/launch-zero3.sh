#!/usr/bin/env bash
# Full fine-tuning of Llama 3.1 8B with axolotl on 4 GPUs of one node, DeepSpeed ZeRO-3 with the optimizer on the CPU
# (axolotl-zero3.yaml names ds_zero3_offload.json). LLM Footprint reads the GPU count from the torchrun line and the
# configs it names.
set -euo pipefail

torchrun --nproc_per_node 4 --nnodes 1 \
  -m axolotl.cli.train axolotl-zero3.yaml \
  --deepspeed ds_zero3_offload.json
