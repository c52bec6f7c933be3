#!/usr/bin/env python3
"""What is alive at the peak of a Qwen3-Next prefill (no grad, use_cache, last-position logits) in transformers'
PyTorch Gated DeltaNet path: the allocator's history is recorded and replayed to the peak, and the blocks alive there
are listed by size with the innermost transformers/torch frames that allocated them. The config is the 4-layer,
64-expert Qwen3-Next of hybrid-extra-h200.jsonl. Output: one JSON object on stdout and in $OUT/gdn-probe.json.
"""
import json
import os

import torch
from transformers import AutoConfig, AutoModelForCausalLM

from probe_ddp import peak_blocks

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with open(os.path.join(HERE, "..", "..", "test", "fixtures", "configs", "qwen3-next-80b-a3b-instruct.json")) as f:
        cfg = json.load(f)
    cfg.update({"num_hidden_layers": 4, "num_experts": 64})
    config = AutoConfig.for_model(**cfg)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16, attn_implementation="sdpa").eval()
    out = {"kind": "gdn_probe", "model": "qwen3-next-80b-a3b-instruct", "config": cfg, "runs": []}
    for seq in (2048, 4096):
        ids = torch.randint(0, 30000, (1, seq), device="cuda")
        torch.cuda.synchronize()
        start = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.memory._record_memory_history(max_entries=400000)
        with torch.no_grad():
            res = model(ids, use_cache=True, logits_to_keep=1)
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated()
        snap = torch.cuda.memory._snapshot()
        torch.cuda.memory._record_memory_history(enabled=None)
        best, top = peak_blocks(snap)
        out["runs"].append({"seq": seq, "start_alloc_bytes": start, "peak_alloc_bytes": peak, "replayed_peak_bytes": best, "top_at_peak": top})
        print(json.dumps({"seq": seq, "peak_over_start": peak - start, "per_token": (peak - start) / seq}), flush=True)
        for t in top[:14]:
            print(f"  {t['bytes'] / seq:12.0f} B/token  {t['blocks']:4d}  {t['where'][:200]}", flush=True)
        del res
    if os.environ.get("OUT"):
        with open(os.path.join(os.environ["OUT"], "gdn-probe.json"), "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
