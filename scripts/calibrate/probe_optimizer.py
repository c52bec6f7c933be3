#!/usr/bin/env python3
"""Probe: the optimizer step's extra memory (peak during step − memory before it) for torch.optim.AdamW with the
foreach (default), fused and for-loop implementations, and SGD with momentum, on Llama-3.2-1B in bf16. Prints JSON."""
import json
import os
import torch
from transformers import AutoConfig, AutoModelForCausalLM

cfg = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "configs", "llama-3.2-1b.json")))
c = AutoConfig.for_model(**cfg)
with torch.device("cuda"):
    m = AutoModelForCausalLM.from_config(c, dtype=torch.bfloat16, attn_implementation="sdpa")
params = [p for p in m.parameters()]
n = sum(p.numel() for p in params)
largest = max(p.numel() for p in params)
ids = torch.randint(0, c.vocab_size, (1, 128), device="cuda")
for name, make in [
    ("adamw-foreach", lambda: torch.optim.AdamW(params, lr=1e-5)),
    ("adamw-fused", lambda: torch.optim.AdamW(params, lr=1e-5, fused=True)),
    ("adamw-loop", lambda: torch.optim.AdamW(params, lr=1e-5, foreach=False)),
    ("sgd-momentum", lambda: torch.optim.SGD(params, lr=1e-5, momentum=0.9)),
]:
    opt = make()
    for step in range(2):
        m(ids, labels=ids).loss.backward()
        torch.cuda.synchronize()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        opt.step()
        torch.cuda.synchronize()
        extra = torch.cuda.max_memory_allocated() - before
        opt.zero_grad(set_to_none=True)
    print(json.dumps({"optimizer": name, "step2_extra_bytes": extra, "per_param_bytes": extra / n, "largest_param_bytes": largest * 2}))
    del opt
    torch.cuda.empty_cache()
