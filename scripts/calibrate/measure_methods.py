#!/usr/bin/env python3
"""Measures peak GPU memory of the memory-saving training methods of issue 8, the same way as measure.py: models built
from test/fixtures/configs with random weights, PyTorch eager, attn_implementation="sdpa",
torch.cuda.max_memory_allocated() around each case. One JSON line per case on stdout and in $OUT/methods.jsonl.

What runs (CASES below):
- full fine-tuning (pure bf16) with bitsandbytes AdamW8bit, PagedAdamW8bit, PagedAdamW (32-bit), Lion (32-bit),
  transformers' Adafactor (HF Trainer's arguments: scale_parameter=False, relative_step=False);
- GaLore (galore_torch, the optimizer package of the GaLore paper) AdamW / AdamW8bit / Adafactor, with the parameter
  groups of GaLore's pretraining script (decoder attention and MLP linear layers projected) and layer-wise (one
  optimizer per parameter stepped in a post-accumulate-grad hook, as transformers' `*_layerwise` optims do it);
- APOLLO / APOLLO-Mini through our own minimal implementation below (what formulas.md §3 says the official code
  allocates: a random projector kept between refreshes, AdamW moments in the projected space, one scale per channel
  or per tensor applied to the full gradient);
- QLoRA: the checkpoint loaded through transformers' BitsAndBytesConfig (NF4, double quant on/off), peft's
  prepare_model_for_kbit_training or not, gradient checkpointing or not, LoRA on all-linear; 8-bit (LLM.int8) base;
- inference: NF4 (double quant on/off) and LLM.int8 prefill.

Per training case the record holds the weights after loading, the trainable parameters, the bytes of every optimizer
state tensor (device and unified memory apart), and the peaks of forward+backward and of the optimizer step apart
(max over 3 steps; the first step initializes the states and, for GaLore, runs the SVD of every projected matrix).

bitsandbytes is built from source (see docs: measuring.md); galore_torch is put on PYTHONPATH. Usage:
  PYTHONPATH=<bnb>:<galore>:/tmp/site python3 measure_methods.py [configs-dir]
"""
import gc
import json
import math
import os
import sys
import time

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "test", "fixtures", "configs")
OUT = os.environ.get("OUT")
out_f = open(os.path.join(OUT, "methods.jsonl"), "w") if OUT else None

L1B = "llama-3.2-1b.json"
Q05 = "qwen2.5-0.5b.json"

# (config, overrides, case). Training cases are pure bf16 (GaLore/APOLLO's setting; QLoRA computes in bf16).
T = {"kind": "train", "batch": 2, "seq": 1024}
CASES = [
    (L1B, {}, dict(T, optimizer="adamw8bit")),
    (Q05, {}, dict(T, optimizer="adamw8bit")),
    (L1B, {}, dict(T, optimizer="paged_adamw8bit")),
    (L1B, {}, dict(T, optimizer="paged_adamw32")),
    (L1B, {}, dict(T, optimizer="lion32")),
    (L1B, {}, dict(T, optimizer="adafactor")),
    (L1B, {}, dict(T, optimizer="galore_adamw", rank=128, gap=200)),
    (L1B, {}, dict(T, optimizer="galore_adamw", rank=128, gap=200, layerwise=True)),
    (L1B, {}, dict(T, optimizer="galore_adamw8bit", rank=128, gap=200, layerwise=True)),
    (L1B, {}, dict(T, optimizer="galore_adamw8bit", rank=128, gap=200)),
    (L1B, {}, dict(T, optimizer="galore_adafactor", rank=128, gap=200)),
    (L1B, {}, dict(T, optimizer="apollo", rank=512, gap=200)),
    (L1B, {}, dict(T, optimizer="apollo", rank=512, gap=200, layerwise=True)),
    (L1B, {}, dict(T, optimizer="apollo_mini", rank=1, gap=200)),
    (L1B, {}, dict(T, optimizer="apollo_mini", rank=1, gap=200, layerwise=True)),
    (L1B, {}, dict(T, kind="qlora", quant="nf4", dq=True, prepare=True, gc=True, lora_r=16)),
    (L1B, {}, dict(T, kind="qlora", quant="nf4", dq=True, prepare=True, gc=False, lora_r=16)),
    (L1B, {}, dict(T, kind="qlora", quant="nf4", dq=True, prepare=False, gc=True, lora_r=16)),
    (L1B, {}, dict(T, kind="qlora", quant="nf4", dq=True, prepare=False, gc=False, lora_r=16)),
    (L1B, {}, dict(T, kind="qlora", quant="nf4", dq=False, prepare=True, gc=True, lora_r=16)),
    (Q05, {}, dict(T, kind="qlora", quant="nf4", dq=True, prepare=True, gc=True, lora_r=64)),
    (L1B, {}, dict(T, kind="qlora", quant="int8", dq=False, prepare=True, gc=True, lora_r=16)),
    (L1B, {}, {"kind": "infer", "quant": "nf4", "dq": True, "batch": 1, "seq": 4096}),
    (L1B, {}, {"kind": "infer", "quant": "nf4", "dq": False, "batch": 1, "seq": 4096}),
    (L1B, {}, {"kind": "infer", "quant": "int8", "dq": False, "batch": 1, "seq": 4096}),
    (Q05, {}, {"kind": "infer", "quant": "nf4", "dq": True, "batch": 4, "seq": 2048}),
]


def emit(rec):
    line = json.dumps(rec)
    print(line, flush=True)
    if out_f:
        out_f.write(line + "\n")
        out_f.flush()


def clean():
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


def load_cfg(fname, overrides):
    with open(os.path.join(CONFIGS, fname)) as f:
        d = json.load(f)
    d.update(overrides)
    d.pop("auto_map", None)
    d.pop("quantization_config", None)
    return d


def build(cfg_dict):
    cfg = AutoConfig.for_model(**cfg_dict)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16, attn_implementation="sdpa")
    return model


_ckpts = {}


def checkpoint(fname, cfg_dict):
    """A bf16 checkpoint on local disk, so quantized loading goes through from_pretrained as users do it."""
    if fname in _ckpts:
        return _ckpts[fname]
    path = f"/tmp/ckpt-{fname[:-5]}"
    cfg = AutoConfig.for_model(**cfg_dict)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16)
    model.save_pretrained(path)
    del model
    gc.collect()
    _ckpts[fname] = path
    return path


def load_quantized(fname, cfg_dict, quant, dq):
    from transformers import BitsAndBytesConfig

    if quant == "nf4":
        qc = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=dq, bnb_4bit_compute_dtype=torch.bfloat16)
    else:
        qc = BitsAndBytesConfig(load_in_8bit=True)
    return AutoModelForCausalLM.from_pretrained(checkpoint(fname, cfg_dict), quantization_config=qc, torch_dtype=torch.bfloat16,
                                                device_map={"": 0}, attn_implementation="sdpa")


def tensor_bytes(obj, seen, acc):
    """Adds the bytes of every tensor reachable from an optimizer state value (projectors included)."""
    if torch.is_tensor(obj):
        if obj.numel() == 0:
            return
        key = obj.data_ptr()
        if key in seen:
            return
        seen.add(key)
        which = "paged" if getattr(obj, "is_paged", False) else "device"
        acc[which] += obj.numel() * obj.element_size()
    elif isinstance(obj, dict):
        for v in obj.values():
            tensor_bytes(v, seen, acc)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            tensor_bytes(v, seen, acc)
    elif hasattr(obj, "__dict__") and not isinstance(obj, (int, float, str)):
        for v in vars(obj).values():
            tensor_bytes(v, seen, acc)


def state_bytes(optimizers):
    seen, acc = set(), {"device": 0, "paged": 0}
    for opt in optimizers:
        for st in opt.state.values():
            tensor_bytes(st, seen, acc)
    return acc


# ---------------------------------------------------------------------------------------------------------------
# APOLLO, our own minimal implementation (the official code is not licensed for reuse). Per projected matrix
# W (m × n): a Gaussian projector of rank r over the smaller side (r × min(m, n), N(0, 1/r), regenerated from a seed
# every `gap` steps and kept in between), AdamW moments of the projected gradient R (r × max(m, n)), and a scale
# from the projected space applied to the full gradient: per channel (APOLLO) or per tensor (APOLLO-Mini).
# Every other parameter gets plain AdamW. One parameter at a time, like GaLore's optimizers.
# ---------------------------------------------------------------------------------------------------------------
class Apollo(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                st = self.state[p]
                st["step"] = st.get("step", 0) + 1
                rank = group.get("rank")
                if rank is None:
                    if "m" not in st:
                        st["m"] = torch.zeros_like(g)
                        st["v"] = torch.zeros_like(g)
                    st["m"].lerp_(g, 1 - b1)
                    st["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
                    upd = st["m"] / st["v"].sqrt().add_(group["eps"])
                    p.add_(upd, alpha=-group["lr"])
                    continue
                m, n = g.shape
                right = m >= n  # project the smaller side: R = G Pᵀ (m × r) or R = P G (r × n)
                small = n if right else m
                if "proj" not in st or (st["step"] - 1) % group["gap"] == 0:
                    gen = torch.Generator(device=g.device).manual_seed(st.setdefault("seed", 1234) + st["step"])
                    st["proj"] = (torch.randn(rank, small, device=g.device, generator=gen, dtype=torch.float32) / math.sqrt(rank)).to(g.dtype)
                P = st["proj"]
                R = g @ P.t() if right else P @ g
                if "m" not in st:
                    st["m"] = torch.zeros_like(R)
                    st["v"] = torch.zeros_like(R)
                st["m"].lerp_(R, 1 - b1)
                st["v"].mul_(b2).addcmul_(R, R, value=1 - b2)
                Rt = st["m"] / st["v"].sqrt().add_(group["eps"])
                if group.get("tensorwise"):
                    s = Rt.norm() / R.norm().clamp_min(1e-12)
                    upd = g * (s * group.get("scale", 1.0))
                else:
                    # one scale per channel of the larger side
                    dim = 1 if right else 0
                    s = Rt.norm(dim=dim) / R.norm(dim=dim).clamp_min(1e-12)
                    upd = g * (s.unsqueeze(1) if right else s.unsqueeze(0))
                p.add_(upd, alpha=-group["lr"])


def _stub_tensorly():
    """galore_torch imports tensorly for its tensor (>2-D) projector, which never runs here; tensorly is not installed."""
    import types

    if "tensorly" in sys.modules:
        return
    try:
        import tensorly  # noqa: F401
    except ImportError:
        tl = types.ModuleType("tensorly")
        dec = types.ModuleType("tensorly.decomposition")
        dec.tucker = None
        tl.decomposition, tl.tenalg = dec, types.ModuleType("tensorly.tenalg")
        sys.modules.update({"tensorly": tl, "tensorly.decomposition": dec, "tensorly.tenalg": tl.tenalg})


def projected_names(model):
    """GaLore's pretraining script: every nn.Linear whose module name contains 'attn' or 'mlp'."""
    out = set()
    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Linear) and ("attn" in name or "mlp" in name):
            out.add(id(mod.weight))
    return out


def make_optimizers(model, case):
    """Returns (optimizers stepped after backward, optimizers stepped in hooks)."""
    import bitsandbytes as bnb

    name = case["optimizer"]
    params = [p for p in model.parameters() if p.requires_grad]
    lr = 1e-5
    if name == "adamw8bit":
        return [bnb.optim.AdamW8bit(params, lr=lr)], []
    if name == "paged_adamw8bit":
        return [bnb.optim.PagedAdamW8bit(params, lr=lr)], []
    if name == "paged_adamw32":
        return [bnb.optim.PagedAdamW(params, lr=lr)], []
    if name == "lion32":
        return [bnb.optim.Lion(params, lr=lr)], []
    if name == "adafactor":
        from transformers.optimization import Adafactor

        return [Adafactor(params, lr=lr, scale_parameter=False, relative_step=False)], []
    proj = projected_names(model)
    target = [p for p in params if id(p) in proj]
    rest = [p for p in params if id(p) not in proj]
    if name.startswith("galore"):
        _stub_tensorly()
        import galore_torch

        cls = {"galore_adamw": galore_torch.GaLoreAdamW, "galore_adamw8bit": galore_torch.GaLoreAdamW8bit, "galore_adafactor": galore_torch.GaLoreAdafactor}[name]
        extra = {"scale_parameter": False, "relative_step": False} if name == "galore_adafactor" else {}
        gcfg = {"rank": case["rank"], "update_proj_gap": case["gap"], "scale": 0.25, "proj_type": "std"}
    else:
        cls = Apollo
        extra = {}
        gcfg = {"rank": case["rank"], "gap": case["gap"], "tensorwise": name == "apollo_mini", "scale": 128.0 if name == "apollo_mini" else 1.0}
    if not case.get("layerwise"):
        return [cls([{"params": rest}, dict(gcfg, params=target)], lr=lr, **extra)], []
    per = {}
    for p in params:
        per[p] = cls([dict(gcfg, params=[p])] if id(p) in proj else [{"params": [p]}], lr=lr, **extra)

    def hook(p):
        if p.grad is None:
            return
        per[p].step()
        per[p].zero_grad(set_to_none=True)

    for p in params:
        p.register_post_accumulate_grad_hook(hook)
    return [], list(per.values())


def train(model, case, rec):
    b, s = case["batch"], case["seq"]
    ids = torch.randint(0, model.config.vocab_size, (b, s), device="cuda")
    params = [p for p in model.parameters() if p.requires_grad]
    rec["trainable_params"] = sum(p.numel() for p in params)
    rec["trainable_bytes"] = sum(p.numel() * p.element_size() for p in params)
    if case["kind"] == "qlora":
        opt_list, hooked = [torch.optim.AdamW(params, lr=1e-5)], []
    else:
        opt_list, hooked = make_optimizers(model, case)
    rec["model_alloc_bytes"] = torch.cuda.memory_allocated()
    peaks_fb, peaks_step, steps = [], [], []
    for _ in range(3):
        t = time.time()
        torch.cuda.reset_peak_memory_stats()
        loss = model(ids, labels=ids).loss
        loss.backward()
        del loss
        torch.cuda.synchronize()
        peaks_fb.append(torch.cuda.max_memory_allocated())
        torch.cuda.reset_peak_memory_stats()
        for o in opt_list:
            o.step()
            o.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        peaks_step.append(torch.cuda.max_memory_allocated())
        steps.append(time.time() - t)
    sb = state_bytes(opt_list + hooked)
    rec.update(state_device_bytes=sb["device"], state_paged_bytes=sb["paged"], peak_fwd_bwd_bytes=peaks_fb, peak_step_bytes=peaks_step,
               peak_alloc_bytes=max(peaks_fb + peaks_step), after_step_alloc_bytes=torch.cuda.memory_allocated(), step_s=steps)
    del opt_list, hooked


def run_case(fname, overrides, case):
    clean()
    cfg_dict = load_cfg(fname, overrides)
    rec = {"model": fname[:-5] + ("" if not overrides else "-" + "-".join(f"{k}{v}" for k, v in overrides.items())), **case,
           "baseline_alloc_bytes": torch.cuda.memory_allocated()}
    t0 = time.time()
    if case["kind"] == "train":
        model = build(cfg_dict)
        rec["weights_alloc_bytes"] = torch.cuda.memory_allocated()
        model.train()
        if case.get("gc"):
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        train(model, case, rec)
    elif case["kind"] == "qlora":
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

        model = load_quantized(fname, cfg_dict, case["quant"], case["dq"])
        rec["weights_alloc_bytes"] = torch.cuda.memory_allocated()
        if case["prepare"]:
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=case["gc"], gradient_checkpointing_kwargs={"use_reentrant": False})
        elif case["gc"]:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        rec["prepared_alloc_bytes"] = torch.cuda.memory_allocated()
        r = case["lora_r"]
        model = get_peft_model(model, LoraConfig(r=r, lora_alpha=2 * r, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM"))
        rec["adapters_alloc_bytes"] = torch.cuda.memory_allocated() - rec["prepared_alloc_bytes"]
        rec["param_dtypes"] = sorted({str(p.dtype) for p in model.parameters()})
        model.train()
        train(model, case, rec)
    else:  # infer
        model = load_quantized(fname, cfg_dict, case["quant"], case["dq"])
        model.eval()
        rec["weights_alloc_bytes"] = torch.cuda.memory_allocated()
        ids = torch.randint(0, model.config.vocab_size, (case["batch"], case["seq"]), device="cuda")
        torch.cuda.reset_peak_memory_stats()
        with torch.no_grad():
            out = model(ids, use_cache=True, logits_to_keep=1)
        torch.cuda.synchronize()
        rec["peak_alloc_bytes"] = torch.cuda.max_memory_allocated()
        del out, ids
    rec.update(config=cfg_dict, status="ok", wall_s=round(time.time() - t0, 2), torch=torch.__version__, transformers=transformers.__version__,
               gpu=torch.cuda.get_device_name())
    del model
    return rec


def main():
    # One matmul first, so the cuBLAS workspace sits in every case's baseline (as in measure.py).
    torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")
    only = os.environ.get("ONLY")
    for i, (fname, overrides, case) in enumerate(CASES):
        if only and str(i) not in only.split(","):
            continue
        try:
            emit(run_case(fname, overrides, case))
        except Exception as e:  # record and go on
            emit({"model": fname, **case, "status": "error", "error": f"{type(e).__name__}: {e}"[:800]})
            clean()


if __name__ == "__main__":
    main()
