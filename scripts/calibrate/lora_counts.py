#!/usr/bin/env python3
"""LoRA adapter parameters PEFT creates for every config under test/fixtures/configs/: each model built on the meta
device as param_counts.py builds it, then get_peft_model(LoraConfig(r=16, target_modules="all-linear")); the trained
parameters, and the adapted modules by name pattern (layer and expert indices as `*`) with their count, to reconcile
with the estimate's LoRA targets. A config PEFT refuses is recorded with its error.

Output: one JSON line per config on stdout and in $OUT/lora-counts.jsonl.
Usage: python3 scripts/calibrate/lora_counts.py
"""
import glob
import json
import os
import re
import sys

import peft
import torch
from peft import LoraConfig, get_peft_model

from param_counts import ROOT, build


def count(path: str, rel: str) -> dict:
    with open(path) as f:
        cfg = json.load(f)
    _conf, model = build(cfg)
    with torch.device("meta"):
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear"))
    trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
    modules: dict[str, int] = {}
    for name, _p in model.named_parameters():
        if "lora_A" in name:
            key = re.sub(r"\.\d+(?=\.|$)", ".*", name.split(".lora_A")[0].replace("base_model.model.", ""))
            modules[key] = modules.get(key, 0) + 1
    return {"file": rel, "model_type": cfg.get("model_type"), "lora_r": 16, "trainable_params": trained, "adapted": modules, "peft": peft.__version__}


def main() -> int:
    base = os.path.join(ROOT, "test", "fixtures", "configs")
    out = os.environ.get("OUT")
    lines = []
    for path in sorted(glob.glob(os.path.join(base, "**", "*.json"), recursive=True)):
        rel = os.path.relpath(path, base)
        try:
            line = count(path, rel)
        except Exception as e:  # keep going: one refusal must not hide the others
            line = {"file": rel, "error": f"{type(e).__name__}: {e}"[:400]}
        print(json.dumps({k: v for k, v in line.items() if k != "adapted"}), flush=True)
        lines.append(line)
    if out:
        with open(os.path.join(out, "lora-counts.jsonl"), "w") as f:
            f.writelines(json.dumps(x) + "\n" for x in lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
