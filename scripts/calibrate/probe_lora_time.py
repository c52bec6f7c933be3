#!/usr/bin/env python3
"""Where a LoRA training step's time goes, against full fine-tuning: Llama-3.2-1B, batch 4 × 2048, bf16, gradient
checkpointing, PEFT LoRA r16 on q,k,v,o,gate,up,down (alpha 32, no dropout), AdamW; torch.profiler over two steady
steps, CUDA time per operator (self) and the step time. Output: $OUT/lora-time.json and a table on stdout.
"""
import json
import os
import time

import torch
from torch.profiler import ProfilerActivity, profile
from transformers import AutoConfig, AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))


def build(lora):
    with open(os.path.join(HERE, "..", "..", "test", "fixtures", "configs", "llama-3.2-1b.json")) as f:
        cfg = json.load(f)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16, attn_implementation="sdpa")
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if lora:
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
        model.enable_input_require_grads()
    return model, config


def run(lora):
    model, config = build(lora)
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    ids = torch.randint(0, config.vocab_size, (4, 2048), device="cuda")

    def step():
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(3):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for _ in range(2):
            step()
        torch.cuda.synchronize()
    rows = []
    for e in prof.key_averages():
        cuda = getattr(e, "self_device_time_total", None) or getattr(e, "self_cuda_time_total", 0)
        if cuda > 0:
            rows.append({"op": e.key, "calls": e.count // 2, "cuda_ms_per_step": cuda / 2 / 1000})
    rows.sort(key=lambda r: -r["cuda_ms_per_step"])
    kernels = sum(1 for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA) // 2
    out = {"lora": lora, "step_s": sorted(times)[2], "cuda_kernels_per_step": kernels, "top_ops": rows[:30]}
    del model, opt
    torch.cuda.empty_cache()
    return out


def main():
    res = [run(False), run(True)]
    for r in res:
        print(f"lora={r['lora']} step {r['step_s'] * 1000:.1f} ms, {r['cuda_kernels_per_step']} kernels/step")
        for o in r["top_ops"][:18]:
            print(f"   {o['cuda_ms_per_step']:8.2f} ms  {o['calls']:6d}  {o['op'][:90]}")
    if os.environ.get("OUT"):
        with open(os.path.join(os.environ["OUT"], "lora-time.json"), "w") as f:
            json.dump({"model": "llama-3.2-1b", "batch": 4, "seq": 2048, "gc": True, "runs": res, "torch": torch.__version__, "gpu": torch.cuda.get_device_name()}, f, indent=1)


if __name__ == "__main__":
    main()
