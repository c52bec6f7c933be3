#!/usr/bin/env python3
"""Measures what autograd saves for backward in the layers the operator table did not have a measured inventory for:
Mamba-2 mixers (nemotron_h, falcon_h1), Mamba-1 mixers (jamba), Gated DeltaNet (qwen3_next), and vision towers of
multimodal models under training with images (gemma3 / SigLIP, qwen2_5_vl, llava / CLIP). Also the training-step
peak of each, for the end-to-end check.

How: a saved-tensor hook (torch.autograd.graph.saved_tensors_hooks) sees every tensor autograd keeps; each is
attributed to the module running when it was saved (a decoder layer by index, the vision tower, the projector, or
the head) and counted once per storage (views of one buffer count once, parameters are left out). Two sequence
lengths per model separate bytes per token from fixed bytes. Models are built from config with random weights,
bf16, attn_implementation="sdpa"; configs are shortened (fewer layers / experts) and the record holds the config that
ran, so the estimator is checked on exactly that.

The probe line says which kernels were importable: without mamba_ssm / causal_conv1d / flash-linear-attention,
transformers runs its PyTorch paths, and that is what these numbers measure.

Usage: python3 scripts/calibrate/measure_hybrid.py          (writes $OUT/hybrid-saved.jsonl)
       python3 scripts/calibrate/measure_hybrid.py extra    (writes $OUT/hybrid-extra.jsonl): multimodal training with
       gradient checkpointing, and no-grad prefill peaks of the hybrids (use_cache, last-position logits).
       python3 scripts/calibrate/measure_hybrid.py lora     (writes $OUT/hybrid-lora.jsonl): the hybrids trained with PEFT
       LoRA r16 on all linear layers (target_modules="all-linear"), base frozen in bf16.
       python3 scripts/calibrate/measure_hybrid.py lora moe (writes $OUT/moe-lora.jsonl): MoE models whose fused experts
       PEFT wraps (Mixtral, Qwen3-MoE, Qwen3-Next): the saved tensors per layer and the training peak under LoRA.
       python3 scripts/calibrate/measure_hybrid.py lora gc  (writes $OUT/moe-lora-gc.jsonl): Mixtral and Qwen3-MoE under
       LoRA with gradient checkpointing.
       python3 scripts/calibrate/measure_hybrid.py layers   (writes $OUT/hybrid-layers.jsonl): per decoder layer and
       vision tower, the forward peak above the memory at its start (saved tensors and temporaries), what it keeps,
       and the backward peak above the memory when its backward starts (read at gradient hooks on its output and
       input; the layer's own weight gradients are part of it and listed as param_bytes).
"""
import sys
import gc
import importlib.util
import json
import os
import time

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForImageTextToText

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "..", "..", "test", "fixtures", "configs")
OUT = os.environ.get("OUT")
LAYERS_MODE = "layers" in sys.argv[1:]
EXTRA_MODE = "extra" in sys.argv[1:]
LORA_MODE = "lora" in sys.argv[1:]
OUT_NAME = "hybrid-layers.jsonl" if LAYERS_MODE else "hybrid-extra.jsonl" if EXTRA_MODE else ("moe-lora-gc.jsonl" if "gc" in sys.argv[1:] else "moe-lora.jsonl" if "moe" in sys.argv[1:] else "hybrid-lora.jsonl") if LORA_MODE else "hybrid-saved.jsonl"
out_f = open(os.path.join(OUT, OUT_NAME), "w") if OUT else None

# (config file, top-level overrides, text_config overrides, cases)
TEXT = [
    ("nemotron-3-nano-30b-a3b.json", {"num_hidden_layers": 5, "hybrid_override_pattern": "MEM*E", "n_routed_experts": 16, "num_experts_per_tok": 6}, {}),
    ("falcon-h1-tiny-90m.json", {"num_hidden_layers": 4}, {}),
    ("jamba-1.5-mini.json", {"num_hidden_layers": 8, "num_experts": 4, "num_experts_per_tok": 2}, {}),
    ("qwen3-next-80b-a3b-instruct.json", {"num_hidden_layers": 4, "num_experts": 64}, {}),
]
VISION = [
    ("gemma-3-4b-it.json", {}, {"num_hidden_layers": 2}),
    ("qwen2.5-vl-3b-instruct.json", {"num_hidden_layers": 2}, {"num_hidden_layers": 2}),
    ("llava-1.5-7b-hf.json", {}, {"num_hidden_layers": 2}),
]


def emit(rec):
    line = json.dumps(rec)
    print(line[:2000], flush=True)
    if out_f:
        out_f.write(line + "\n")
        out_f.flush()


def clean():
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


def load_config(fname, top, text):
    with open(os.path.join(CONFIGS, fname)) as f:
        d = json.load(f)
    d.update(top)
    if text and "text_config" in d:
        d["text_config"] = dict(d["text_config"], **text)
    return d


def build(d, vision):
    d = dict(d)
    d.pop("auto_map", None)
    d.pop("quantization_config", None)
    cfg = AutoConfig.for_model(**d)
    cls = AutoModelForImageTextToText if vision else AutoModelForCausalLM
    with torch.device("cuda"):
        model = cls.from_config(cfg, torch_dtype=torch.bfloat16, attn_implementation="sdpa")
    return model, cfg


def decoder_layers(model, n):
    """The ModuleList of the language model's decoder layers (the one named ...layers with n entries)."""
    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.ModuleList) and name.endswith("layers") and len(mod) == n and "vision" not in name and "visual" not in name:
            return name, mod
    raise RuntimeError("no decoder layer list found")


def vision_modules(model):
    towers, projectors = [], []
    for name, mod in model.named_modules():
        last = name.rsplit(".", 1)[-1]
        if last in ("vision_tower", "visual", "vision_model") and not any(name.startswith(t + ".") for t, _ in towers):
            towers.append((name, mod))
        if last in ("multi_modal_projector", "merger") and not any(name.startswith(t + ".") for t, _ in towers):
            projectors.append((name, mod))
    return towers, projectors


class SavedCounter:
    """Bytes of distinct storages autograd saves, attributed to the module running at the time."""

    def __init__(self, model):
        self.params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        self.seen = set()
        self.where = "embed"
        self.bytes = {}
        self.shapes = {}

    def mark(self, tag):
        def pre(_m, _a, *_k):
            self.where = tag

        return pre

    def pack(self, t):
        st = t.untyped_storage()
        key = st.data_ptr()
        if key not in self.params and key not in self.seen and t.device.type == "cuda":
            self.seen.add(key)
            self.bytes[self.where] = self.bytes.get(self.where, 0) + st.nbytes()
            lst = self.shapes.setdefault(self.where, [])
            if len(lst) < 80:
                lst.append([list(t.shape), str(t.dtype).replace("torch.", ""), st.nbytes()])
        return t


def attach(model, counter, n_layers):
    handles = []
    _name, layers = decoder_layers(model, n_layers)
    for i, layer in enumerate(layers):
        handles.append(layer.register_forward_pre_hook(counter.mark(f"layer{i}")))
    # Whatever runs after the last layer (final norm, lm_head, loss) is the head.
    handles.append(layers[-1].register_forward_hook(lambda *_: setattr(counter, "where", "head")))
    towers, projectors = vision_modules(model)
    for name, mod in towers:
        handles.append(mod.register_forward_pre_hook(counter.mark("vision")))
        handles.append(mod.register_forward_hook(lambda *_: setattr(counter, "where", "between")))
    for name, mod in projectors:
        handles.append(mod.register_forward_pre_hook(counter.mark("projector")))
        handles.append(mod.register_forward_hook(lambda *_: setattr(counter, "where", "between")))
    return handles, [n for n, _ in towers], [n for n, _ in projectors]


def text_inputs(cfg, b, s):
    vocab = cfg.get_text_config().vocab_size
    ids = torch.randint(0, min(vocab, 30000), (b, s), device="cuda")
    return {"input_ids": ids, "labels": ids}


def image_inputs(name, cfg, b, s, images):
    """input_ids with each image's placeholder tokens, and pixel values of the matching shape."""
    ids = torch.randint(100, 20000, (b, s), device="cuda")
    extra = {}
    tok = getattr(cfg, "image_token_id", None)
    if tok is None:
        tok = cfg.image_token_index
    if cfg.model_type == "gemma3":
        per = cfg.mm_tokens_per_image
        size = cfg.vision_config.image_size
        extra["pixel_values"] = torch.randn(b * images, 3, size, size, device="cuda", dtype=torch.bfloat16)
    elif cfg.model_type == "llava":
        size = cfg.vision_config.image_size
        per = (size // cfg.vision_config.patch_size) ** 2
        extra["pixel_values"] = torch.randn(b * images, 3, size, size, device="cuda", dtype=torch.bfloat16)
    else:  # qwen2_5_vl at 448 x 448: a 32 x 32 grid of 14-pixel patches, 2 x 2 merged
        grid = 32
        per = grid * grid // 4
        vc = cfg.vision_config
        extra["pixel_values"] = torch.randn(b * images * grid * grid, 3 * vc.temporal_patch_size * vc.patch_size ** 2, device="cuda", dtype=torch.bfloat16)
        extra["image_grid_thw"] = torch.tensor([[1, grid, grid]] * (b * images), device="cuda")
    for i in range(images):
        start = 8 + i * (per + 8)
        if cfg.model_type == "qwen2_5_vl":
            ids[:, start - 1] = cfg.vision_start_token_id
            ids[:, start + per] = cfg.vision_end_token_id
        ids[:, start:start + per] = tok
    if cfg.model_type == "gemma3":
        extra["token_type_ids"] = (ids == tok).long()
    labels = ids.clone()
    labels[ids == tok] = -100
    return {"input_ids": ids, "labels": labels, **extra}, per


def training_model(d, vision, lora_r, freeze_vision):
    """The model in train mode: PEFT LoRA (all-linear) when lora_r, its vision tower frozen when freeze_vision."""
    model, cfg = build(d, vision)
    model.train()
    if lora_r:
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(model, LoraConfig(r=lora_r, lora_alpha=2 * lora_r, lora_dropout=0.0, target_modules="all-linear"))
    if freeze_vision:
        for _n, m in vision_modules(model)[0]:
            m.requires_grad_(False)
    return model, cfg


def saved_case(name, d, vision, b, s, images=0, freeze_vision=False, lora_r=None):
    clean()
    model, cfg = training_model(d, vision, lora_r, freeze_vision)
    n_layers = cfg.get_text_config().num_hidden_layers
    counter = SavedCounter(model)
    handles, towers, projectors = attach(model, counter, n_layers)
    if vision and images:
        inputs, per = image_inputs(name, cfg, b, s, images)
    else:
        inputs, per = text_inputs(cfg, b, s), 0
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    with torch.autograd.graph.saved_tensors_hooks(counter.pack, lambda t: t):
        loss = model(**inputs).loss
    after_fwd = torch.cuda.memory_allocated()
    fwd_peak = torch.cuda.max_memory_allocated()
    loss.backward()
    torch.cuda.synchronize()
    rec = {
        "kind": "saved", "model": name, "config": d, "batch": b, "seq": s, "images": images, "image_tokens_per_image": per, "lora_r": lora_r,
        "freeze_vision": freeze_vision, "towers": towers, "projectors": projectors,
        "saved_bytes": counter.bytes, "saved_shapes": counter.shapes,
        "model_alloc_bytes": base, "after_forward_alloc_bytes": after_fwd, "forward_peak_alloc_bytes": fwd_peak,
        "backward_peak_alloc_bytes": torch.cuda.max_memory_allocated(),
    }
    for h in handles:
        h.remove()
    del loss, model, inputs
    return rec


def train_case(name, d, vision, b, s, images=0, freeze_vision=False, gc_on=False, lora_r=None):
    clean()
    base = torch.cuda.memory_allocated()
    model, cfg = training_model(d, vision, lora_r, freeze_vision)
    if gc_on:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    inputs = image_inputs(name, cfg, b, s, images)[0] if vision and images else text_inputs(cfg, b, s)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-5)
    model_alloc = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    steps = []
    for _ in range(3):
        t = time.time()
        loss = model(**inputs).loss
        loss.backward()
        del loss
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        steps.append(round(time.time() - t, 4))
    rec = {
        "kind": "train", "model": name, "config": d, "batch": b, "seq": s, "images": images, "freeze_vision": freeze_vision,
        "precision": "bf16", "gc": gc_on, "optimizer": "adamw", "lora_r": lora_r, "baseline_alloc_bytes": base,
        "trainable_params": sum(p.numel() for p in params), "model_alloc_bytes": model_alloc,
        "peak_alloc_bytes": torch.cuda.max_memory_allocated(), "step_s": steps,
    }
    del opt, model, inputs, params
    return rec


class Watch:
    """Peaks between hook events: forward per module, backward between gradient hooks."""

    def __init__(self):
        self.fwd = {}
        self.bwd = []
        self.mark = None

    def pre(self, tag):
        def hook(_m, args, *_k):
            torch.cuda.synchronize()
            self.fwd[tag] = {"start": torch.cuda.memory_allocated()}
            torch.cuda.reset_peak_memory_stats()
            x = args[0] if args and torch.is_tensor(args[0]) else None
            if x is not None and x.requires_grad:
                x.register_hook(self.grad_event(f"{tag}:in"))

        return hook

    def post(self, tag):
        def hook(_m, _a, out):
            torch.cuda.synchronize()
            f = self.fwd[tag]
            f["peak_over"] = torch.cuda.max_memory_allocated() - f["start"]
            f["kept"] = torch.cuda.memory_allocated() - f["start"]
            o = out[0] if isinstance(out, tuple) else getattr(out, "last_hidden_state", out)
            if torch.is_tensor(o) and o.requires_grad:
                o.register_hook(self.grad_event(f"{tag}:out"))

        return hook

    def grad_event(self, name):
        def hook(g):
            torch.cuda.synchronize()
            now = torch.cuda.memory_allocated()
            if self.mark is not None:
                prev, start = self.mark
                self.bwd.append({"from": prev, "to": name, "peak_over": torch.cuda.max_memory_allocated() - start})
            self.mark = (name, now)
            torch.cuda.reset_peak_memory_stats()
            return g

        return hook


def layers_case(name, d, vision, b, s, images=0, grad=True):
    clean()
    model, cfg = build(d, vision)
    model.train() if grad else model.eval()
    n_layers = cfg.get_text_config().num_hidden_layers
    _n, layers = decoder_layers(model, n_layers)
    w = Watch()
    handles = []
    mods = [(f"layer{i}", m) for i, m in enumerate(layers)] + [(f"vision:{n}", m) for n, m in vision_modules(model)[0]]
    params = {}
    for tag, m in mods:
        handles.append(m.register_forward_pre_hook(w.pre(tag)))
        handles.append(m.register_forward_hook(w.post(tag)))
        params[tag] = sum(p.numel() * p.element_size() for p in m.parameters())
    inputs = image_inputs(name, cfg, b, s, images)[0] if vision and images else text_inputs(cfg, b, s)
    if grad:
        loss = model(**inputs).loss
        loss.backward()
        w.grad_event("end")(None)
        del loss
    else:
        with torch.no_grad():
            model(**{k: v for k, v in inputs.items() if k != "labels"}, use_cache=True, logits_to_keep=1)
    torch.cuda.synchronize()
    for h in handles:
        h.remove()
    rec = {"kind": "layers", "model": name, "config": d, "batch": b, "seq": s, "images": images, "grad": grad,
           "forward": w.fwd, "backward": w.bwd, "param_bytes": params}
    del model, inputs
    return rec


def run(fn, *args, **kw):
    try:
        rec = fn(*args, **kw)
        rec.update(status="ok", torch=torch.__version__, transformers=transformers.__version__, gpu=torch.cuda.get_device_name())
        emit(rec)
    except Exception as e:  # record and go on
        emit({"model": args[0], "fn": fn.__name__, "args": [a for a in args[2:]], "kw": kw, "status": "error", "error": f"{type(e).__name__}: {e}"[:800]})
        clean()


def main_layers():
    torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")
    for fname, top, text in TEXT:
        d = load_config(fname, top, text)
        for s in (1024, 2048):
            run(layers_case, fname[:-5], d, False, 1, s)
        run(layers_case, fname[:-5], d, False, 1, 2048, grad=False)
    for fname, top, text in VISION:
        d = load_config(fname, top, text)
        run(layers_case, fname[:-5], d, True, 1, 1024, images=1)
        run(layers_case, fname[:-5], d, True, 1, 1024, images=1, grad=False)


def prefill_case(name, d, b, s):
    clean()
    base = torch.cuda.memory_allocated()
    model, cfg = build(d, False)
    model.eval()
    ids = text_inputs(cfg, b, s)["input_ids"]
    weights = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    with torch.no_grad():
        out = model(ids, use_cache=True, logits_to_keep=1)
    torch.cuda.synchronize()
    rec = {"kind": "prefill", "model": name, "config": d, "batch": b, "seq": s, "baseline_alloc_bytes": base,
           "weights_alloc_bytes": weights, "peak_alloc_bytes": torch.cuda.max_memory_allocated()}
    del out, model, ids
    return rec


def main_extra():
    torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")
    for fname, top, text in VISION[:2]:
        d = load_config(fname, top, text)
        run(train_case, fname[:-5], d, True, 2, 1024, images=1, gc_on=True)
    for fname, top, text in TEXT:
        d = load_config(fname, top, text)
        run(prefill_case, fname[:-5], d, 1, 4096)


MOE_LORA = [
    ("mixtral-8x7b-v0.1.json", {"num_hidden_layers": 2}, {}),
    ("qwen3-30b-a3b.json", {"num_hidden_layers": 2}, {}),
]


def main_lora():
    torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")
    if "gc" in sys.argv[1:]:
        # The same under gradient checkpointing (the merged expert weights of the rebuilt layer only).
        for fname, top, text in MOE_LORA:
            run(train_case, fname[:-5], load_config(fname, top, text), False, 2, 1024, lora_r=16, gc_on=True)
        return
    if "moe" in sys.argv[1:]:
        # PEFT wraps the fused experts: what their adapters save, per layer, and the training peak.
        for fname, top, text in MOE_LORA + [TEXT[3]]:
            d = load_config(fname, top, text)
            run(saved_case, fname[:-5], d, False, 1, 1024, lora_r=16)
            run(train_case, fname[:-5], d, False, 2, 1024, lora_r=16)
        return
    for fname, top, text in TEXT:
        d = load_config(fname, top, text)
        run(train_case, fname[:-5], d, False, 2, 1024, lora_r=16)


def main():
    if LAYERS_MODE:
        return main_layers()
    if LORA_MODE:
        return main_lora()
    if EXTRA_MODE:
        return main_extra()
    kernels = {m: importlib.util.find_spec(m) is not None for m in ("mamba_ssm", "causal_conv1d", "fla")}
    emit({"kind": "probe", "kernels": kernels, "torch": torch.__version__, "transformers": transformers.__version__})
    torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")
    for fname, top, text in TEXT:
        d = load_config(fname, top, text)
        name = fname[:-5]
        for s in (512, 1024):
            run(saved_case, name, d, False, 1, s)
        run(train_case, name, d, False, 2, 1024)
        run(train_case, name, d, False, 2, 1024, gc_on=True)
    for fname, top, text in VISION:
        d = load_config(fname, top, text)
        name = fname[:-5]
        run(saved_case, name, d, True, 1, 1024, images=1)
        run(saved_case, name, d, True, 1, 1024, images=2)
        run(saved_case, name, d, True, 1, 1024, images=1, freeze_vision=True)
        run(train_case, name, d, True, 2, 1024, images=1)
        run(train_case, name, d, True, 2, 1024, images=1, freeze_vision=True)


if __name__ == "__main__":
    main()
