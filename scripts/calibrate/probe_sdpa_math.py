#!/usr/bin/env python3
"""Probe: what SDPA costs when it runs the math kernel, as with transformers' Falcon multi-query path (a 4-D mask
and 1 KV head for 71 query heads, no enable_gqa): peak bytes per score element under no_grad, and saved / peak bytes
per element in training. Prints JSON lines; also prints the relevant lines of the installed FalconAttention."""
import inspect
import json

import torch
import torch.nn.functional as F
from transformers.models.falcon import modeling_falcon as mf

for i, l in enumerate(inspect.getsource(mf.FalconAttention.forward).splitlines()):
    if "scaled_dot_product" in l or "is_causal =" in l:
        print("SRC", i, l.strip()[:150])


def peak_over(fn):
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    b0 = torch.cuda.memory_allocated()
    r = fn()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() - b0, r


H, S, D = 71, 4096, 64
q = torch.randn(1, H, S, D, device="cuda", dtype=torch.bfloat16)
k = torch.randn(1, 1, S, D, device="cuda", dtype=torch.bfloat16)
v = torch.randn(1, 1, S, D, device="cuda", dtype=torch.bfloat16)
mask_b = torch.ones(S, S, device="cuda", dtype=torch.bool).tril()[None, None]
mask_f = torch.zeros(1, 1, S, S, device="cuda", dtype=torch.bfloat16)
elems = H * S * S
with torch.no_grad():
    for name, kw in [("causal", dict(is_causal=True)), ("boolmask", dict(attn_mask=mask_b)), ("bf16mask", dict(attn_mask=mask_f))]:
        pk, _ = peak_over(lambda: F.scaled_dot_product_attention(q, k, v, **kw))
        print(json.dumps({"case": "nograd-" + name, "peak_over": pk, "B_per_elem": round(pk / elems, 3)}))
del q, k, v
S2 = 2048
el2 = H * S2 * S2
for name in ["causal", "bf16mask"]:
    qq = torch.randn(1, H, S2, D, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    kk = torch.randn(1, 1, S2, D, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    vv = torch.randn(1, 1, S2, D, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    kw = dict(is_causal=True) if name == "causal" else dict(attn_mask=mask_f[..., :S2, :S2].contiguous())
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    b0 = torch.cuda.memory_allocated()
    o = F.scaled_dot_product_attention(qq, kk, vv, **kw)
    torch.cuda.synchronize()
    fwd_peak = torch.cuda.max_memory_allocated() - b0
    saved = torch.cuda.memory_allocated() - b0
    torch.cuda.reset_peak_memory_stats()
    b1 = torch.cuda.memory_allocated()
    o.sum().backward()
    torch.cuda.synchronize()
    bwd_peak = torch.cuda.max_memory_allocated() - b1
    print(json.dumps({"case": "train-" + name, "fwd_peak_B_per_elem": round(fwd_peak / el2, 3), "saved_B_per_elem": round(saved / el2, 3), "bwd_peak_B_per_elem": round(bwd_peak / el2, 3)}))
    del qq, kk, vv, o
