"""Kernel breakdown of one static-cache decode step (issue 10): why compiled decode at batch 1 sits at ~3x the
weight-read bound, and why CUDA-graph eager decode grows with batch x context faster than the KV bytes alone.

Random-weight Llama-3.2-1B (test/fixtures/configs), bf16, SDPA, transformers StaticCache as in measure_time.py.
For each case, one decode step under torch.profiler: device time per kernel name (summed), count, and the total.
  eager:    the plain forward (the kernels a CUDA graph of it replays: measure_time.py's "graph_eager")
  inductor: torch.compile(fullgraph=True) without CUDA graphs (the kernels "compiled" replays)
Usage (device machine): python3 scripts/calibrate/probe_decode_kernels.py   (prints; writes $OUT/decode-kernels.json)
"""
import json
import os
import sys
from collections import defaultdict

import torch
from torch.profiler import ProfilerActivity, profile
from transformers import AutoConfig, AutoModelForCausalLM, StaticCache

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = os.path.join(HERE, "..", "..", "test", "fixtures", "configs", "llama-3.2-1b.json")
OUT = os.environ.get("OUT")


def build():
    with open(CFG) as f:
        d = json.load(f)
    cfg = AutoConfig.for_model(**d)
    with torch.device("cuda"):
        m = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16, attn_implementation="sdpa")
    return m.eval(), cfg


def kernels(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as p:
        fn()
        torch.cuda.synchronize()
    by = defaultdict(lambda: [0.0, 0])
    for e in p.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            by[e.name][0] += e.device_time_total if hasattr(e, "device_time_total") else e.cuda_time_total
            by[e.name][1] += 1
    total = sum(v[0] for v in by.values())
    count = sum(v[1] for v in by.values())
    top = sorted(by.items(), key=lambda kv: -kv[1][0])[:14]
    return {"total_us": total, "kernels": count, "top": [[k[:90], round(v[0], 1), v[1]] for k, v in top]}


def case(model, cfg, b, ctx, impl):
    max_len = ctx + 152
    try:
        cache = StaticCache(config=cfg, max_cache_len=max_len)
    except TypeError:
        cache = StaticCache(config=cfg, max_batch_size=b, max_cache_len=max_len, device="cuda", dtype=torch.bfloat16)
    ids = torch.randint(0, cfg.vocab_size, (b, ctx), device="cuda")
    with torch.no_grad():
        model(ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
    tok = torch.randint(0, cfg.vocab_size, (b, 1), device="cuda")
    fwd = model.forward if impl == "eager" else torch.compile(model.forward, fullgraph=True, mode="default")

    def step():
        with torch.no_grad():
            fwd(input_ids=tok, past_key_values=cache, use_cache=True)

    r = {"impl": impl, "batch": b, "ctx": ctx, "max_cache_len": max_len, **kernels(step)}
    print(json.dumps(r), flush=True)
    del cache
    torch.cuda.empty_cache()
    return r


def main():
    torch._dynamo.config.cache_size_limit = 64
    model, cfg = build()
    rows = []
    for b, ctx in ((1, 512), (8, 512), (32, 512), (8, 4096)):
        rows.append(case(model, cfg, b, ctx, "eager"))
    for b, ctx in ((1, 512), (32, 512)):
        try:
            rows.append(case(model, cfg, b, ctx, "inductor"))
        except Exception as e:  # keep what was measured
            print(f"inductor b{b}: {type(e).__name__}: {e}"[:400], file=sys.stderr)
    if OUT:
        with open(os.path.join(OUT, "decode-kernels.json"), "w") as f:
            json.dump({"torch": torch.__version__, "gpu": torch.cuda.get_device_name(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
