#!/usr/bin/env python3
"""Probe: Mixtral (2 layers) memory over weights: prefill of 8192 tokens shaped 1×8192 and 8×1024 (linear in
tokens), then single decode steps of b tokens (plain forward with a cache, and inside generate), and which experts
implementation transformers picks. Prints JSON lines."""
import json
import os
import torch
from transformers import AutoConfig, AutoModelForCausalLM

cfg = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "configs", "mixtral-8x7b-v0.1.json")))
cfg["num_hidden_layers"] = 2
c = AutoConfig.for_model(**cfg)
with torch.device("cuda"):
    m = AutoModelForCausalLM.from_config(c, dtype=torch.bfloat16, attn_implementation="sdpa").eval()
torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")


def peak(fn):
    torch.cuda.synchronize(); torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    with torch.no_grad():
        r = fn()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() - base, r


print(json.dumps({"experts_impl_before": getattr(m.config, "_experts_implementation", None)}))
for b, s in [(1, 8192), (8, 1024)]:
    ids = torch.randint(0, c.vocab_size, (b, s), device="cuda")
    p, _ = peak(lambda: m(ids, use_cache=True, logits_to_keep=1))
    print(json.dumps({"case": "prefill", "b": b, "s": s, "peak_over_B": p, "per_token": p / (b * s)}))
for b, s in [(8, 64), (1, 64), (8, 1)]:
    ids = torch.randint(0, c.vocab_size, (b, s), device="cuda")
    p, _ = peak(lambda: m(ids, use_cache=True, logits_to_keep=1))
    print(json.dumps({"case": "small-forward", "b": b, "s": s, "peak_over_B": p}))
for b in [1, 8]:
    ids = torch.randint(0, c.vocab_size, (b, 64), device="cuda")
    p, _ = peak(lambda: m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=4, min_new_tokens=4, do_sample=False))
    print(json.dumps({"case": "generate", "b": b, "s": 64, "new": 4, "peak_over_B": p, "experts_impl_after": getattr(m.config, "_experts_implementation", None)}))
