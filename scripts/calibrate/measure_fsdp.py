#!/usr/bin/env python3
"""Per-rank GPU memory of FSDP2 training at any world size, on one GPU, through PyTorch's fake process group:
rank 0 of a world of N runs for real (parameters, gradients and optimizer states sharded as rank 0 holds them,
all-gather and reduce-scatter buffers allocated as in a real run), and the collectives move no data. Checked
byte-exact against two real H200s (../shared/docs/measuring.md).

Each case runs in its own process (fresh allocator statistics): the model is built from its config (random
weights, sdpa attention) directly on the GPU in bf16, gradient checkpointing is enabled when asked, every decoder
layer and then the root are wrapped with fully_shard, and three steps of loss.backward(); AdamW.step();
zero_grad(set_to_none=True) run. One JSON line per case: peak = torch.cuda.max_memory_allocated() over the steps,
sharded = memory_allocated() after wrapping, host = the process's max RSS.

Usage: python3 scripts/calibrate/measure_fsdp.py            (all cases, 4 processes at a time; lines on stdout
                                                              and in $OUT/fsdp.jsonl)
       python3 scripts/calibrate/measure_fsdp.py CASE_JSON  (one case, in this process)
"""
import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "..", "..", "test", "fixtures", "configs")


def cases():
    out = []
    for world in (2, 8, 64):
        for strategy in ("full", "no_reshard", "full_offload", "full_mp"):
            out.append({"config": "llama-3.2-1b.json", "overrides": {}, "world": world, "strategy": strategy, "batch": 2, "seq": 1024, "gc": True})
    for world in (2, 8):
        for strategy in ("full", "no_reshard", "full_offload"):
            out.append({"config": "llama-3.1-8b.json", "overrides": {"num_hidden_layers": 4}, "world": world, "strategy": strategy, "batch": 1, "seq": 2048, "gc": True})
    out.append({"config": "llama-3.2-1b.json", "overrides": {}, "world": 4, "strategy": "full", "batch": 2, "seq": 1024, "gc": False})
    out.append({"config": "qwen2.5-0.5b.json", "overrides": {}, "world": 4, "strategy": "full", "batch": 4, "seq": 1024, "gc": True})
    out.append({"config": "llama-3.2-1b.json", "overrides": {}, "world": 2, "strategy": "full", "batch": 4, "seq": 2048, "gc": True})
    return out


def run_case(case):
    import torch
    import torch.distributed as dist
    from torch.distributed.fsdp import CPUOffloadPolicy, MixedPrecisionPolicy, fully_shard
    from torch.testing._internal.distributed.fake_pg import FakeStore
    from transformers import AutoConfig, AutoModelForCausalLM

    dist.init_process_group("fake", rank=0, world_size=case["world"], store=FakeStore())
    torch.cuda.set_device(0)
    with open(os.path.join(CONFIGS, case["config"])) as f:
        cfg = json.load(f)
    cfg.update(case["overrides"])
    cfg.pop("quantization_config", None)
    cfg.pop("auto_map", None)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    config._attn_implementation = "sdpa"
    mp = case["strategy"] == "full_mp"
    dtype = torch.float32 if mp else torch.bfloat16
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config, torch_dtype=dtype, attn_implementation="sdpa")
    if case["gc"]:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    kw = {"reshard_after_forward": case["strategy"] != "no_reshard"}
    if case["strategy"] == "full_offload":
        kw["offload_policy"] = CPUOffloadPolicy()
    if mp:
        kw["mp_policy"] = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
    for layer in model.model.layers:
        fully_shard(layer, **kw)
    fully_shard(model, **kw)
    torch.cuda.synchronize()
    sharded = torch.cuda.memory_allocated()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    ids = torch.randint(0, config.vocab_size, (case["batch"], case["seq"]), device="cuda")
    torch.cuda.reset_peak_memory_stats()
    steps = []
    for _ in range(3):
        t0 = time.time()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        steps.append(time.time() - t0)
    rec = dict(case)
    rec.update(
        kind="train_fsdp_fake",
        precision="bf16",
        optimizer="adamw",
        params=sum(p.numel() for p in model.parameters()),
        sharded_alloc_bytes=sharded,
        peak_alloc_bytes=torch.cuda.max_memory_allocated(),
        peak_reserved_bytes=torch.cuda.max_memory_reserved(),
        host_maxrss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        step_s=steps,
        torch=torch.__version__,
        gpu=torch.cuda.get_device_name(0),
    )
    print(json.dumps(rec), flush=True)
    dist.destroy_process_group()


def main():
    if len(sys.argv) > 1:
        run_case(json.loads(sys.argv[1]))
        return
    out = os.environ.get("OUT")
    sink = open(os.path.join(out, "fsdp.jsonl"), "w") if out else None

    def one(case):
        r = subprocess.run([sys.executable, __file__, json.dumps(case)], capture_output=True, text=True, timeout=240)
        line = r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else json.dumps({**case, "status": "failed", "error": r.stderr[-2000:]})
        return line

    with ThreadPoolExecutor(4) as pool:
        for line in pool.map(one, cases()):
            print(line, flush=True)
            if sink:
                sink.write(line + "\n")
                sink.flush()


if __name__ == "__main__":
    main()
