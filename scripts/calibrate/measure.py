#!/usr/bin/env python3
"""Measures peak GPU memory of transformers models built from configs (random weights, no downloads), the same
way as the calibration data in test/fixtures/measured/: PyTorch eager, attn_implementation="sdpa",
torch.cuda.max_memory_allocated() around each case. One JSON line per case on stdout and in $OUT/extra.jsonl.

Cases (see CASES below): prefill (use_cache, last-position logits, like generate's first step) and train
(3 steps of loss.backward(); AdamW.step(); zero_grad(set_to_none=True)), optionally with gradient checkpointing,
LoRA (peft, if installed) or autocast. Configs may be shortened (num_hidden_layers) to fit; the shortened config is
written into the record so the estimator is checked on exactly what ran.

Usage: python3 scripts/calibrate/measure.py [heavy|kv|accum]   (no argument: the first set)
"""
import gc
import json
import os
import sys
import time

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "..", "..", "test", "fixtures", "configs")

# (config file, overrides, case list)
CASES = [
    ("qwen3-8b.json", {"num_hidden_layers": 4}, [
        {"kind": "prefill", "batch": 2, "seq": 2048},
        {"kind": "train", "batch": 2, "seq": 1024, "precision": "bf16", "gc": False},
        {"kind": "train", "batch": 2, "seq": 2048, "precision": "bf16", "gc": True},
    ]),
    ("gemma-2-2b.json", {}, [
        {"kind": "prefill", "batch": 1, "seq": 4096},
        {"kind": "train", "batch": 2, "seq": 1024, "precision": "bf16", "gc": True},
        {"kind": "train", "batch": 1, "seq": 1024, "precision": "bf16", "gc": False},
    ]),
    ("phi-3-mini-4k-instruct.json", {}, [
        {"kind": "prefill", "batch": 1, "seq": 4096},
        {"kind": "train", "batch": 1, "seq": 2048, "precision": "bf16", "gc": True},
    ]),
    ("gpt2.json", {}, [
        {"kind": "train", "batch": 8, "seq": 1024, "precision": "bf16", "gc": False},
        {"kind": "train", "batch": 8, "seq": 1024, "precision": "amp_bf16", "gc": False},
    ]),
    ("pythia-160m.json", {}, [
        {"kind": "prefill", "batch": 8, "seq": 2048},
        {"kind": "train", "batch": 8, "seq": 1024, "precision": "bf16", "gc": False},
    ]),
    ("mixtral-8x7b-v0.1.json", {"num_hidden_layers": 2}, [
        {"kind": "prefill", "batch": 1, "seq": 4096},
        {"kind": "train", "batch": 1, "seq": 2048, "precision": "bf16", "gc": True},
    ]),
    ("deepseek-v2-lite.json", {"num_hidden_layers": 4}, [
        {"kind": "prefill", "batch": 1, "seq": 4096},
        {"kind": "train", "batch": 1, "seq": 2048, "precision": "bf16", "gc": True},
    ]),
    ("olmo-2-1124-7b.json", {"num_hidden_layers": 4}, [
        {"kind": "prefill", "batch": 1, "seq": 4096},
        {"kind": "train", "batch": 1, "seq": 2048, "precision": "bf16", "gc": False},
    ]),
    ("falcon-7b.json", {"num_hidden_layers": 4}, [
        {"kind": "prefill", "batch": 1, "seq": 4096},
        {"kind": "train", "batch": 1, "seq": 2048, "precision": "bf16", "gc": False},
    ]),
]

# Second set: activation-dominated steps (large batch × seq, few layers), other precisions, LoRA without
# checkpointing, autocast with checkpointing. Run with `measure.py heavy`.
HEAVY = [
    ("qwen3-8b.json", {"num_hidden_layers": 4}, [{"kind": "train", "batch": 4, "seq": 2048, "precision": "bf16", "gc": False}]),
    ("gemma-2-2b.json", {"num_hidden_layers": 4}, [{"kind": "train", "batch": 4, "seq": 2048, "precision": "bf16", "gc": False}]),
    ("phi-3-mini-4k-instruct.json", {"num_hidden_layers": 4}, [{"kind": "train", "batch": 4, "seq": 2048, "precision": "bf16", "gc": False}]),
    ("mixtral-8x7b-v0.1.json", {"num_hidden_layers": 2}, [{"kind": "train", "batch": 4, "seq": 4096, "precision": "bf16", "gc": False}]),
    ("deepseek-v2-lite.json", {"num_hidden_layers": 4}, [{"kind": "train", "batch": 4, "seq": 4096, "precision": "bf16", "gc": False}]),
    ("olmo-2-1124-7b.json", {"num_hidden_layers": 4}, [{"kind": "train", "batch": 4, "seq": 2048, "precision": "bf16", "gc": False}]),
    ("gpt2.json", {}, [{"kind": "train", "batch": 16, "seq": 1024, "precision": "bf16", "gc": True}]),
    ("llama-3.2-1b.json", {}, [
        {"kind": "train", "batch": 2, "seq": 1024, "precision": "fp32", "gc": False},
        {"kind": "train", "batch": 4, "seq": 2048, "precision": "amp_bf16", "gc": True},
        {"kind": "train", "batch": 2, "seq": 2048, "precision": "bf16", "gc": False, "lora_r": 16},
        {"kind": "train", "batch": 4, "seq": 2048, "precision": "bf16", "gc": False, "optimizer": "sgd_momentum"},
    ]),
    ("qwen2.5-0.5b.json", {}, [{"kind": "train", "batch": 8, "seq": 2048, "precision": "bf16", "gc": False, "lora_r": 64}]),
]

# Fourth set: gradient accumulation (gradients stay allocated between micro-batches). `measure.py accum`
ACCUM = [
    ("llama-3.2-1b.json", {}, [
        {"kind": "train", "batch": 2, "seq": 1024, "precision": "bf16", "gc": False, "accum": 4},
        {"kind": "train", "batch": 4, "seq": 2048, "precision": "amp_bf16", "gc": True, "accum": 2},
    ]),
    ("qwen2.5-0.5b.json", {}, [{"kind": "train", "batch": 4, "seq": 1024, "precision": "bf16", "gc": False, "accum": 2, "lora_r": 16}]),
]

# Third set: generation (decode-dominated), and the KV cache of MLA, sliding-window and hybrid models. `measure.py kv`
KV = [
    ("llama-3.2-1b.json", {}, [{"kind": "generate", "batch": 16, "seq": 512, "new_tokens": 1024}]),
    ("qwen2.5-0.5b.json", {}, [{"kind": "generate", "batch": 32, "seq": 1024, "new_tokens": 512}]),
    ("deepseek-v2-lite.json", {"num_hidden_layers": 4}, [{"kind": "prefill", "batch": 2, "seq": 8192}]),
    ("gemma-2-2b.json", {"num_hidden_layers": 6}, [{"kind": "prefill", "batch": 1, "seq": 8192}]),
    ("mistral-7b-v0.1.json", {"num_hidden_layers": 4}, [{"kind": "prefill", "batch": 1, "seq": 8192}]),
    ("gemma-3-1b-pt.json", {}, [{"kind": "prefill", "batch": 1, "seq": 8192}]),
    ("mixtral-8x7b-v0.1.json", {"num_hidden_layers": 2}, [{"kind": "generate", "batch": 8, "seq": 1024, "new_tokens": 256}]),
]

OUT = os.environ.get("OUT")
_set = next((a for a in sys.argv[1:] if a in ("heavy", "kv", "accum")), None)
out_f = open(os.path.join(OUT, f"extra-{_set}.jsonl" if _set else "extra.jsonl"), "w") if OUT else None


def emit(rec):
    line = json.dumps(rec)
    print(line, flush=True)
    if out_f:
        out_f.write(line + "\n")
        out_f.flush()


def build(cfg_dict, dtype):
    d = dict(cfg_dict)
    d.pop("auto_map", None)
    d.pop("quantization_config", None)
    if d.get("model_type") == "gemma3":
        d = dict(d["text_config"], model_type="gemma3_text")
    cfg = AutoConfig.for_model(**d)
    cfg._attn_implementation = "sdpa"
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg, torch_dtype=dtype, attn_implementation="sdpa")
    return model, cfg


def cache_bytes(cache):
    """Bytes of every distinct tensor storage the cache holds (keys, values, latents)."""
    seen, total = set(), 0
    for layer in getattr(cache, "layers", []):
        for v in vars(layer).values():
            if torch.is_tensor(v) and v.numel() > 0:
                key = v.untyped_storage().data_ptr()
                if key not in seen:
                    seen.add(key)
                    total += v.untyped_storage().nbytes()
    return total


def clean():
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


def run_case(name, cfg_dict, case):
    clean()
    base = torch.cuda.memory_allocated()
    prec = case.get("precision", "bf16")
    dtype = torch.float32 if prec in ("amp_bf16", "fp32") else torch.bfloat16
    t0 = time.time()
    model, cfg = build(cfg_dict, dtype)
    vocab = cfg.vocab_size
    b, s = case["batch"], case["seq"]
    ids = torch.randint(0, vocab, (b, s), device="cuda")
    rec = {"model": name, "config": cfg_dict, **case, "baseline_alloc_bytes": base}
    if case["kind"] == "prefill":
        model.eval()
        weights = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        with torch.no_grad():
            out = model(ids, use_cache=True, logits_to_keep=1)
        torch.cuda.synchronize()
        rec.update(weights_alloc_bytes=weights, peak_alloc_bytes=torch.cuda.max_memory_allocated(), kv_bytes=cache_bytes(out.past_key_values))
        del out
    elif case["kind"] == "generate":
        model.eval()
        weights = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        with torch.no_grad():
            model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=case["new_tokens"], min_new_tokens=case["new_tokens"], do_sample=False)
        torch.cuda.synchronize()
        rec.update(weights_alloc_bytes=weights, peak_alloc_bytes=torch.cuda.max_memory_allocated())
    else:
        model.train()
        if case.get("gc"):
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if case.get("lora_r"):
            from peft import LoraConfig, get_peft_model
            r = case["lora_r"]
            model = get_peft_model(model, LoraConfig(r=r, lora_alpha=2 * r, lora_dropout=0.0,
                                                     target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
        params = [p for p in model.parameters() if p.requires_grad]
        rec["trainable_params"] = sum(p.numel() for p in params)
        if case.get("optimizer") == "sgd_momentum":
            opt = torch.optim.SGD(params, lr=1e-5, momentum=0.9)
        else:
            opt = torch.optim.AdamW(params, lr=1e-5)
        model_alloc = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        steps = []
        for _ in range(3):
            t = time.time()
            for _micro in range(case.get("accum", 1)):
                if prec == "amp_bf16":
                    with torch.autocast("cuda", dtype=torch.bfloat16):
                        loss = model(ids, labels=ids).loss
                else:
                    loss = model(ids, labels=ids).loss
                loss.backward()
                del loss
            opt.step()
            opt.zero_grad(set_to_none=True)
            torch.cuda.synchronize()
            steps.append(time.time() - t)
        rec.update(model_alloc_bytes=model_alloc, after_step_alloc_bytes=torch.cuda.memory_allocated(),
                   peak_alloc_bytes=torch.cuda.max_memory_allocated(), peak_reserved_bytes=torch.cuda.max_memory_reserved(),
                   step_s=steps)
        del opt
    rec.update(status="ok", wall_s=round(time.time() - t0, 2), torch=torch.__version__, transformers=transformers.__version__,
               gpu=torch.cuda.get_device_name())
    del model, ids
    return rec


def main():
    # One matmul first, so the cuBLAS workspace sits in every case's baseline (as in the shared calibration).
    torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")
    sets = {"heavy": HEAVY, "kv": KV, "accum": ACCUM}
    chosen = next((sets[a] for a in sys.argv[1:] if a in sets), CASES)
    for fname, overrides, cases in chosen:
        with open(os.path.join(CONFIGS, fname)) as f:
            cfg = json.load(f)
        cfg.update(overrides)
        for case in cases:
            try:
                emit(run_case(fname[:-5] + ("" if not overrides else "-" + "-".join(f"{k}{v}" for k, v in overrides.items())), cfg, case))
            except Exception as e:  # record and go on
                emit({"model": fname, **case, "status": "error", "error": f"{type(e).__name__}: {e}"[:500]})
                clean()


if __name__ == "__main__":
    main()
