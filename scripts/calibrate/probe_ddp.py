#!/usr/bin/env python3
"""What DDP keeps on a rank beyond one GPU's training, at the peak: DistributedDataParallel on a real (NCCL) process
group of world size 1 — rank 0 of the 2×H200 calibration run held one more parameter-sized buffer than rank 1.
Llama-3.2-1B, batch 4 × 2048, bf16 AdamW, gradient checkpointing, 3 steps, as in the shared calibration run.
The allocator's history is recorded and replayed to the peak: the blocks alive there are listed by size with the
innermost frames that allocated them. Output: one JSON object on stdout and in $OUT/ddp-probe.json.

Two ranks on one GPU: `DDP_BACKEND=gloo torchrun --nproc_per_node 2 scripts/calibrate/probe_ddp.py` runs both
ranks on cuda:0 over gloo (NCCL refuses two ranks on one device); each rank's own allocator statistics are per
process, so each rank's peak is measured as on its own GPU ($OUT/ddp-probe-<backend>-rank<r>.json). With
DDP_OPTIMIZER=zero1 the optimizer is torch's ZeroRedundancyOptimizer over AdamW (ZeRO-1: each rank keeps the states
of its share of the parameters) and the files are named ddp-probe-zero1-w<world>-rank<r>.json.
"""
import json
import os

import torch
import torch.distributed as dist
from transformers import AutoConfig, AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_blocks(snapshot):
    live = {}
    total = best = 0
    best_live = {}
    for dev in snapshot["device_traces"]:
        for ev in dev:
            if ev["action"] == "alloc":
                live[ev["addr"]] = ev
                total += ev["size"]
                if total > best:
                    best, best_live = total, dict(live)
            elif ev["action"] in ("free_completed",):
                e = live.pop(ev["addr"], None)
                if e:
                    total -= e["size"]
    rows = {}
    for ev in best_live.values():
        frames = [f"{f['filename'].split('site-packages/')[-1]}:{f['line']}:{f['name']}" for f in ev.get("frames", []) if "torch/" in f["filename"] or "transformers/" in f["filename"] or "probe_ddp" in f["filename"]][:4]
        key = " <- ".join(frames) or "?"
        r = rows.setdefault(key, [0, 0])
        r[0] += ev["size"]
        r[1] += 1
    top = sorted(rows.items(), key=lambda kv: -kv[1][0])[:25]
    return best, [{"bytes": v[0], "blocks": v[1], "where": k} for k, v in top]


def main():
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29511")
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    backend = os.environ.get("DDP_BACKEND", "nccl")
    dist.init_process_group(backend, rank=rank, world_size=world)
    torch.cuda.set_device(0)
    with open(os.path.join(HERE, "..", "..", "test", "fixtures", "configs", "llama-3.2-1b.json")) as f:
        cfg = json.load(f)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16, attn_implementation="sdpa")
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=[0])
    torch.cuda.synchronize()
    wrapped = torch.cuda.memory_allocated()
    zero1 = os.environ.get("DDP_OPTIMIZER") == "zero1"
    if zero1:
        from torch.distributed.optim import ZeroRedundancyOptimizer
        opt = ZeroRedundancyOptimizer(ddp.parameters(), optimizer_class=torch.optim.AdamW, lr=1e-5)
    else:
        opt = torch.optim.AdamW(ddp.parameters(), lr=1e-5)
    ids = torch.randint(0, config.vocab_size, (4, 2048), device="cuda")
    torch.cuda.reset_peak_memory_stats()
    torch.cuda.memory._record_memory_history(max_entries=200000)
    peaks = []
    for _ in range(3):
        torch.cuda.reset_peak_memory_stats()
        loss = ddp(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        peaks.append(torch.cuda.max_memory_allocated())
    snap = torch.cuda.memory._snapshot()
    torch.cuda.memory._record_memory_history(enabled=None)
    best, top = peak_blocks(snap)
    out = {"kind": "ddp_probe", "model": "llama-3.2-1b", "world": world, "rank": rank, "backend": backend, "optimizer": "zero1" if zero1 else "adamw", "batch": 4, "seq": 2048, "gc": True, "model_alloc_bytes": before, "wrapped_alloc_bytes": wrapped,
           "peak_per_step": peaks, "replayed_peak_bytes": best, "top_at_peak": top, "torch": torch.__version__, "gpu": torch.cuda.get_device_name(0)}
    print(json.dumps({k: v for k, v in out.items() if k != "top_at_peak"}), flush=True)
    if os.environ.get("OUT"):
        name = "ddp-probe.json" if world == 1 else f"ddp-probe-zero1-w{world}-rank{rank}.json" if zero1 else f"ddp-probe-{backend}-rank{rank}.json" if world == 2 else f"ddp-probe-{backend}-w{world}-rank{rank}.json"
        with open(os.path.join(os.environ["OUT"], name), "w") as f:
            json.dump(out, f, indent=1)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
