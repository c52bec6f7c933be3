#!/usr/bin/env python3
"""The LoRA parameters PEFT (target_modules="all-linear", r=16) puts on layer 0 of each MoE fixture config, with their
shapes: how PEFT wraps fused expert tensors. Meta device. Output: $OUT/lora-shapes.json and stdout.
"""
import json
import os
import re

import torch
from peft import LoraConfig, get_peft_model

from param_counts import ROOT, build

FILES = ["mixtral-8x7b-v0.1.json", "qwen3-30b-a3b.json", "olmoe-1b-7b-0924.json", "deepseek-v2-lite.json", "glm-4.5-air.json", "minimax-m2.json",
         "qwen3-next-80b-a3b-instruct.json", "gpt-oss-20b.json", "granite-3.0-1b-a400m-instruct.json", "qwen1.5-moe-a2.7b.json", "phi-3.5-moe-instruct.json"]


def main():
    out = {}
    for fname in FILES:
        with open(os.path.join(ROOT, "test", "fixtures", "configs", fname)) as f:
            cfg = json.load(f)
        try:
            _c, model = build(cfg)
            with torch.device("meta"):
                model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear"))
            rows = []
            for name, p in model.named_parameters():
                if "lora_" in name and re.search(r"layers\.1\.", name):
                    rows.append([name.replace("base_model.model.", ""), list(p.shape)])
            base = [[n.replace("base_model.model.", ""), list(p.shape)] for n, p in model.named_parameters() if re.search(r"layers\.1\.mlp\.experts\.", n) and "lora_" not in n]
            out[fname] = {"lora": rows, "experts_base": base[:6]}
        except Exception as e:
            out[fname] = {"error": f"{type(e).__name__}: {e}"[:300]}
        print(fname, json.dumps(out[fname])[:1500], flush=True)
    if os.environ.get("OUT"):
        with open(os.path.join(os.environ["OUT"], "lora-shapes.json"), "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
