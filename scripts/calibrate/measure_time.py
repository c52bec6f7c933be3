"""Timing calibration for the roofline (issue 10): one call on the GPU machine, results as JSON lines.

Random-weight models from test/fixtures/configs (transformers 5.17, torch 2.11, no downloads), bf16:
  - device_limits: device-to-device copy bandwidth (bytes read + written) and dense bf16 matmul FLOP/s (random data)
  - prefill: eager SDPA forward of batch x seq tokens (use_cache, last-position logits, like generate's first step)
  - decode: one decode step of the whole batch from a static cache at context `ctx`;
      impl "compiled"    = torch.compile(model.forward, mode="reduce-overhead", fullgraph=True) (CUDA graphs)
      impl "graph_eager" = the eager forward captured once in a CUDA graph (no fusion), replayed
      impl "eager"       = plain eager forward (launch-bound at small batch)
  - train: loss = model(ids, labels=ids).loss; backward; AdamW step; zero_grad - with and without checkpointing
Every time is the median of several timed repetitions after warm-up, with the device synchronized (CUDA events).
A deadline keeps the whole run inside the call's limit: a case that would not finish in time is skipped and says so.

Usage (device machine):  python3 scripts/calibrate/measure_time.py   (writes $OUT/timing-h200.jsonl)
The device `run` tool sends the session's own checkout (the main repo), so run it from a checkout that has this file.
Each row carries `config`, `gpu`, `scenario` (and `overrides`): saved as test/fixtures/measured/timing-h200.jsonl, the
roofline tests check it like timing-h100.jsonl (roofline ≤ measured, expected within 2×); it ran once, on an H200,
and made test/fixtures/measured/timing-h200.jsonl.
"""
import gc
import json
import os
import statistics
import sys
import time

T0 = time.time()
DEADLINE_S = float(os.environ.get("DEADLINE_S", "265"))

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "..", "..", "test", "fixtures", "configs")
OUT = os.environ.get("OUT")
out_f = open(os.path.join(OUT, "timing-h200.jsonl"), "w") if OUT else None
ROWS = []


def left():
    return DEADLINE_S - (time.time() - T0)


def emit(rec):
    rec.setdefault("status", "ok")
    # `gpu` stays the catalog id fixture() wrote; the driver's name goes to `device` (it used to overwrite `gpu`:
    # timing-h200.jsonl says "NVIDIA H200", which test/unit/helpers/timings.ts maps back to h200-141gb).
    rec.update(torch=torch.__version__, transformers=transformers.__version__, device=torch.cuda.get_device_name(), t_s=round(time.time() - T0, 1))
    rec.setdefault("gpu", rec["device"])
    line = json.dumps(rec)
    print(line, flush=True)
    ROWS.append(rec)
    if out_f:
        out_f.write(line + "\n")
        out_f.flush()


def clean():
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


def timed(fn, warmup=2, reps=5, inner=1):
    """Median seconds of one `fn()` call (CUDA events around `inner` calls, `reps` repetitions, after `warmup`)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(inner):
            fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) / 1000 / inner)
    return statistics.median(times), times


def build(fname, overrides=None, dtype=torch.bfloat16):
    with open(os.path.join(CONFIGS, fname)) as f:
        d = json.load(f)
    d.update(overrides or {})
    d.pop("auto_map", None)
    d.pop("quantization_config", None)
    cfg = AutoConfig.for_model(**d)
    cfg._attn_implementation = "sdpa"
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg, torch_dtype=dtype, attn_implementation="sdpa")
    return model, cfg


def device_limits():
    n = 1 << 30  # 1 Gi bf16 elements = 2 GiB per buffer
    x = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    y = torch.empty_like(x)
    t, _ = timed(lambda: y.copy_(x), warmup=3, reps=10)
    copy_bps = 2 * x.numel() * x.element_size() / t
    del x, y
    res = {"kind": "device_limits", "copy_bytes_per_s": copy_bps}
    for m in (8192, 4096):
        a = torch.randn(m, m, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(m, m, device="cuda", dtype=torch.bfloat16)
        t, _ = timed(lambda: a @ b, warmup=3, reps=10)
        res[f"bf16_matmul_flops_per_s_{m}"] = 2 * m**3 / t
        del a, b
    res["bf16_matmul_flops_per_s"] = res["bf16_matmul_flops_per_s_8192"]
    clean()
    emit(res)


def prefill_cases(model, cfg, name, shapes):
    model.eval()
    for b, s in shapes:
        if left() < 10:
            emit({"kind": "prefill", "model": name, "batch": b, "seq": s, "status": "skipped", "reason": "deadline"})
            continue
        ids = torch.randint(0, cfg.vocab_size, (b, s), device="cuda")
        with torch.no_grad():
            t, all_t = timed(lambda: model(ids, use_cache=True, logits_to_keep=1), warmup=2, reps=5)
        emit({"kind": "prefill", "model": name, "batch": b, "seq": s, "attn": "sdpa", "impl": "eager", "seconds": t, "all_s": all_t,
              **fixture(name, {"mode": "inference", "batch": b, "seq": s})})
        del ids
        clean()


def static_cache(cfg, max_len):
    from transformers import StaticCache
    try:
        return StaticCache(config=cfg, max_cache_len=max_len)
    except TypeError:
        return StaticCache(config=cfg, max_batch_size=1, max_cache_len=max_len, device="cuda", dtype=torch.bfloat16)


def decode_case(model, cfg, name, b, ctx, impl, steps=16, reps=5):
    """Seconds of one decode step of `b` sequences at context ≈ ctx from a static cache (prefilled eagerly).
    transformers 5.17's StaticCache keeps its own write position (a device tensor), so a step needs no cache_position
    and a CUDA graph of it advances the cache on every replay."""
    model.eval()
    max_len = ctx + 8 + steps * (reps + 4)
    cache = static_cache(cfg, max_len)
    ids = torch.randint(0, cfg.vocab_size, (b, ctx), device="cuda")
    with torch.no_grad():
        model(ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
    tok = torch.randint(0, cfg.vocab_size, (b, 1), device="cuda")
    fwd = model.forward
    if impl == "compiled":
        fwd = torch.compile(model.forward, mode="reduce-overhead", fullgraph=True)

    def step_eager():
        return fwd(input_ids=tok, past_key_values=cache, use_cache=True)

    step = step_eager
    if impl == "graph_eager":
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s), torch.no_grad():
            for _ in range(3):
                step_eager()
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g), torch.no_grad():
            step_eager()
        step = g.replay
    with torch.no_grad():
        t, all_t = timed(step, warmup=3 if impl != "compiled" else 6, reps=reps, inner=steps)
    end = int(cache.layers[0].cumulative_length.item())
    # The static cache's SDPA reads all max_len positions every step: the estimate's context is max_len.
    emit({"kind": "decode", "model": name, "batch": b, "ctx": ctx, "end_ctx": end, "mean_ctx": end - (reps * steps) // 2, "max_cache_len": max_len,
          "impl": impl, "seconds": t, "all_s": all_t,
          **fixture(name, {"mode": "inference", "batch": b, "seq": max_len - 1, "newTokens": 1, "decode": {"eager": "eager", "graph_eager": "cuda-graphs", "compiled": "compiled"}[impl]})})
    del cache, ids
    clean()


def train_case(name, fname, b, s, gc_on, precision="bf16", overrides=None):
    dtype = torch.float32 if precision == "amp_bf16" else torch.bfloat16
    model, cfg = build(fname, overrides, dtype)
    model.train()
    if gc_on:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    ids = torch.randint(0, cfg.vocab_size, (b, s), device="cuda")

    def step():
        if precision == "amp_bf16":
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(ids, labels=ids).loss
        else:
            loss = model(ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    t, all_t = timed(step, warmup=2, reps=4)
    emit({"kind": "train", "model": name, "batch": b, "seq": s, "precision": precision, "optimizer": "adamw", "grad_checkpointing": gc_on,
          "seconds": t, "all_s": all_t, "peak_alloc_bytes": torch.cuda.max_memory_allocated(),
          **fixture(fname[:-5], {"mode": "training", "batch": b, "seq": s, "precision": "amp-bf16" if precision == "amp_bf16" else "bf16",
                                 "optimizer": "adamw", "gradCheckpointing": gc_on}, overrides)})
    del model, opt, ids
    clean()
    torch.cuda.reset_peak_memory_stats()


def fixture(name, scenario, overrides=None):
    """The fields test/unit/core/roofline reads: config file, catalog GPU, the estimate's scenario, config overrides."""
    return {"config": name.split("-l8")[0] + ".json", "gpu": "h200-141gb", "scenario": scenario, **({"overrides": overrides} if overrides else {})}


def guarded(label, need_s, fn, *args, **kw):
    if left() < need_s:
        emit({"kind": "skipped", "case": label, "status": "skipped", "reason": f"deadline ({left():.0f} s left, needs ~{need_s} s)"})
        return
    try:
        fn(*args, **kw)
    except Exception as e:  # record and go on
        emit({"kind": "error", "case": label, "status": "error", "error": f"{type(e).__name__}: {e}"[:600]})
        clean()


def llama1b_inference():
    model, cfg = build("llama-3.2-1b.json")
    prefill_cases(model, cfg, "llama-3.2-1b", [(1, 512), (1, 2048), (1, 8192), (4, 2048)])
    guarded("llama-1b decode eager b1", 8, decode_case, model, cfg, "llama-3.2-1b", 1, 512, "eager")
    for b in (1, 8, 32):
        guarded(f"llama-1b decode graph_eager b{b}", 8, decode_case, model, cfg, "llama-3.2-1b", b, 512, "graph_eager")
    guarded("llama-1b decode graph_eager b8 ctx4096", 8, decode_case, model, cfg, "llama-3.2-1b", 8, 4096, "graph_eager")
    del model
    clean()


def llama1b_compiled():
    model, cfg = build("llama-3.2-1b.json")
    for b in (1, 8, 32):
        guarded(f"llama-1b decode compiled b{b}", 40, decode_case, model, cfg, "llama-3.2-1b", b, 512, "compiled")
    del model
    clean()


def llama8b_inference():
    model, cfg = build("llama-3.1-8b.json")
    prefill_cases(model, cfg, "llama-3.1-8b", [(1, 2048), (1, 8192)])
    for b in (1, 16):
        guarded(f"llama-8b decode graph_eager b{b}", 10, decode_case, model, cfg, "llama-3.1-8b", b, 1024, "graph_eager")
    del model
    clean()


def llama8b_compiled():
    model, cfg = build("llama-3.1-8b.json")
    decode_case(model, cfg, "llama-3.1-8b", 1, 1024, "compiled")
    del model
    clean()


def qwen_inference():
    model, cfg = build("qwen2.5-0.5b.json")
    prefill_cases(model, cfg, "qwen2.5-0.5b", [(1, 2048), (8, 2048)])
    guarded("qwen decode graph_eager b1", 8, decode_case, model, cfg, "qwen2.5-0.5b", 1, 512, "graph_eager")
    guarded("qwen decode graph_eager b32", 8, decode_case, model, cfg, "qwen2.5-0.5b", 32, 512, "graph_eager")
    del model
    clean()


def main():
    torch.backends.cuda.matmul.allow_tf32 = True
    torch._dynamo.config.cache_size_limit = 64
    print(f"torch {torch.__version__} transformers {transformers.__version__} on {torch.cuda.get_device_name()}", flush=True)
    guarded("device_limits", 10, device_limits)
    guarded("llama-1b train", 20, train_case, "llama-3.2-1b", "llama-3.2-1b.json", 4, 2048, False)
    guarded("llama-1b train ckpt", 20, train_case, "llama-3.2-1b", "llama-3.2-1b.json", 4, 2048, True)
    guarded("qwen train", 15, train_case, "qwen2.5-0.5b", "qwen2.5-0.5b.json", 4, 1024, False)
    guarded("qwen train amp", 15, train_case, "qwen2.5-0.5b", "qwen2.5-0.5b.json", 4, 1024, False, "amp_bf16")
    guarded("llama-8b-l8 train ckpt", 20, train_case, "llama-3.1-8b-l8", "llama-3.1-8b.json", 2, 2048, True, "bf16", {"num_hidden_layers": 8})
    guarded("qwen inference", 20, qwen_inference)
    guarded("llama-1b inference", 30, llama1b_inference)
    guarded("llama-8b inference", 25, llama8b_inference)
    guarded("llama-1b compiled", 50, llama1b_compiled)
    guarded("llama-8b decode compiled b1", 75, llama8b_compiled)
    print("\nkind      model            batch  seq/ctx  impl         ms", flush=True)
    for r in ROWS:
        if r.get("status") == "ok" and "seconds" in r:
            print(f"{r['kind']:<9} {r['model']:<16} {r['batch']:>5} {r.get('seq', r.get('ctx')):>8}  {r.get('impl', r.get('precision', '')) + (' gc' if r.get('grad_checkpointing') else ''):<12} {r['seconds'] * 1e3:8.2f}", flush=True)
        elif r.get("kind") == "device_limits":
            print(f"copy {r['copy_bytes_per_s'] / 1e12:.2f} TB/s  matmul {r['bf16_matmul_flops_per_s'] / 1e12:.0f} TFLOP/s", flush=True)
        elif r.get("status") != "ok":
            print(f"{r.get('status')}: {r.get('case')} {r.get('reason', r.get('error', ''))[:200]}", flush=True)
    print(f"total {time.time() - T0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
