#!/usr/bin/env python3
"""Exact parameter counts of every config under test/fixtures/configs/ (recursively), as transformers builds them.

Each model is built on the meta device (no memory, no weights), from its config alone:

    with torch.device("meta"):
        AutoModelForCausalLM.from_config(AutoConfig.for_model(model_type, **cfg))

Multimodal configs (a `vision_config`) are built whole with AutoModelForImageTextToText: the vision tower and the
projector are on the GPU too; `vision_params` counts every parameter outside the language model and lm_head.
model_types transformers lacks but whose architecture it has are built as that architecture (ALIASES: kimi_k2 is
DeepseekV3ForCausalLM).
`auto_map` (remote code) and `quantization_config` are dropped: we count the architecture transformers ships.

Output, one JSON line per config on stdout (and in $OUT/param-counts.jsonl when OUT is set):
    {file, params, embedding_params, input_embedding_params, tied, ...}
      params                  sum(p.numel() for p in model.parameters())  (tied tensors once)
      embedding_params        input embedding + learned position embeddings (GPT-2 wpe), as ModelSpec.params.embedding
      input_embedding_params  model.get_input_embeddings().weight.numel()
      tied                    lm_head.weight is the input embedding tensor
A second file, $OUT/param-groups.jsonl, lists per config every parameter name with layer indices replaced by `*`,
with its shape and how many such tensors there are, plus the config's layer_types / sliding_window as built:
the details needed to reconcile a mismatch without another device run.

Usage: python3 scripts/calibrate/param_counts.py [fixtures_dir]
"""

import glob
import json
import os
import re
import sys
import time
import traceback

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForImageTextToText

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DROP = ("auto_map", "quantization_config")
ALIASES = {"kimi_k2": "deepseek_v3"}


def build(cfg: dict):
    d = {k: v for k, v in cfg.items() if k not in DROP}
    model_type = d.pop("model_type")
    conf = AutoConfig.for_model(ALIASES.get(model_type, model_type), **d)
    auto = AutoModelForImageTextToText if "vision_config" in cfg else AutoModelForCausalLM
    with torch.device("meta"):
        model = auto.from_config(conf)
    return conf, model


def describe(path: str, rel: str) -> tuple[dict, dict]:
    with open(path) as f:
        cfg = json.load(f)
    t0 = time.time()
    conf, model = build(cfg)
    text = getattr(conf, "text_config", None) or conf
    params = sum(p.numel() for p in model.parameters())
    vision = sum(p.numel() for n, p in model.named_parameters() if "language_model" not in n and not n.startswith("lm_head"))
    emb = model.get_input_embeddings().weight
    out = model.get_output_embeddings()
    tied = out is not None and out.weight is emb
    pos = 0
    groups: dict[str, dict] = {}
    for name, p in model.named_parameters():
        key = re.sub(r"\.\d+(?=\.|$)", ".*", name)
        g = groups.setdefault(key, {"shape": list(p.shape), "numel": p.numel(), "count": 0})
        g["count"] += 1
        if name.endswith("wpe.weight"):
            pos += p.numel()
    buffers: dict[str, dict] = {}
    for name, b in model.named_buffers():
        key = re.sub(r"\.\d+(?=\.|$)", ".*", name)
        g = buffers.setdefault(key, {"shape": list(b.shape), "count": 0})
        g["count"] += 1
    line = {
        "file": rel,
        "model_type": cfg.get("model_type"),
        "params": params,
        "embedding_params": emb.numel() + pos,
        "input_embedding_params": emb.numel(),
        "tied": tied,
        **({"vision_params": vision} if "vision_config" in cfg else {}),
        "class": type(model).__name__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "build_s": round(time.time() - t0, 2),
    }
    detail = {
        "file": rel,
        "groups": groups,
        "buffers": buffers,
        "layer_types": getattr(text, "layer_types", None),
        "sliding_window": getattr(text, "sliding_window", None),
        "head_dim": getattr(text, "head_dim", None),
        "tie_word_embeddings": getattr(conf, "tie_word_embeddings", None),
    }
    return line, detail


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "test", "fixtures", "configs")
    files = sorted(glob.glob(os.path.join(base, "**", "*.json"), recursive=True))
    out_dir = os.environ.get("OUT")
    lines, details = [], []
    for path in files:
        rel = os.path.relpath(path, base)
        try:
            line, detail = describe(path, rel)
        except Exception as e:  # keep going: one bad config must not hide the others
            line = {"file": rel, "error": f"{type(e).__name__}: {e}"}
            detail = {"file": rel, "traceback": traceback.format_exc()}
        print(json.dumps(line), flush=True)
        lines.append(line)
        details.append(detail)
    if out_dir:
        with open(os.path.join(out_dir, "param-counts.jsonl"), "w") as f:
            f.writelines(json.dumps(x) + "\n" for x in lines)
        with open(os.path.join(out_dir, "param-groups.jsonl"), "w") as f:
            f.writelines(json.dumps(x) + "\n" for x in details)
    return 1 if any("error" in x for x in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
