/**
 * Runtime profiles: what differs between runtimes is data here, not `if`s through the code: `pytorch` (PyTorch
 * eager + transformers, SDPA attention) and `vllm` (paged KV pool sized from the GPU).
 */
import type { RuntimeId } from './scenario.ts';

export interface RuntimeProfile {
  id: RuntimeId;
  label: string;
  /** cuBLAS/cuBLASLt workspaces allocated through the caching allocator per thread that runs matmuls. */
  matmulWorkspaceBytes: number;
  /** Threads that run matmuls: the Python thread, plus autograd's device thread in training. */
  workspaceThreadsTraining: number;
  /** CUDA context + loaded kernels, outside the allocator (device_used − reserved). */
  cudaContextBytes: number;
  /** Caching-allocator reserve above the live peak, as a fraction of the transient (non-persistent) bytes. */
  allocatorSlackFraction: number;
  /** Sliding-window layers keep every token (transformers' DynamicCache) rather than a rolling window. */
  slidingWindowCapsCache: boolean;
  /** Whether a causal LM training forward builds a KV cache (transformers' use_cache=True default without checkpointing). */
  trainingForwardKeepsCache: boolean;
  /**
   * SDPA's math kernel (bf16 inputs upcast to fp32), bytes per attention-score element (heads × q × k):
   * transient peak under no_grad, saved for backward in training, and extra transient of its backward.
   */
  mathAttention: { inferencePeak: number; saved: number; backward: number; source: string };
  /** fp32 attention runs the math kernel (the fused kernels are not picked for fp32 inputs). */
  fp32UsesMathAttention: boolean;
  /** MoE decode steps gather every sequence's top-k expert weights (transformers 5 generate). */
  moeDecodeGathersExperts: boolean;
  /** Paged KV cache: tokens per block (a request's KV is rounded up to whole blocks); 0 = contiguous tensors. */
  kvBlockTokens: number;
  /**
   * Decode from a static cache (decode 'cuda-graphs' and 'compiled') passes SDPA a mask, so transformers repeats
   * grouped K/V to every query head first (repeat_kv: the cache read once, heads/kv_heads copies written) and SDPA
   * reads the copies. Measured: scripts/calibrate/probe_decode_kernels.py (H200, Llama-3.2-1B: an eager copy kernel
   * per K and V per layer; under torch.compile still one fused copy kernel per layer, writing the copies).
   */
  staticCacheRepeatsKv: boolean;
  source: string;
}

/** PyTorch eager + transformers, measured (test/fixtures/measured). */
const PYTORCH: RuntimeProfile = {
  id: 'pytorch',
  label: 'PyTorch eager + transformers (SDPA)',
  // 32 MiB cuBLAS workspace (CUBLAS_WORKSPACE_CONFIG default on Hopper) + 1 MiB cuBLASLt: measured 34,603,520 B
  // in inference and 69,206,528 B (two threads) in training, PyTorch 2.11 on H100.
  matmulWorkspaceBytes: 33 * 1024 * 1024,
  workspaceThreadsTraining: 2,
  // device_used − max_reserved on H100, PyTorch 2.11 + CUDA 13.0: 854,392,832 B in every calibration run.
  cudaContextBytes: 854_392_832,
  // reserved − allocated over the calibration runs: 1.5%–21% of the transient, 10% typical.
  allocatorSlackFraction: 0.1,
  slidingWindowCapsCache: false,
  trainingForwardKeepsCache: true,
  mathAttention: {
    inferencePeak: 9.2,
    saved: 4,
    backward: 12,
    source: 'scripts/calibrate/probe_sdpa_math.py on H100, PyTorch 2.11: 9.13–9.21 B/score under no_grad; 4.19 saved; 12.0–12.1 in backward',
  },
  // Measured: llama-3.2-1b trained in fp32 saves heads × seq fp32 probabilities per token and layer.
  fp32UsesMathAttention: true,
  moeDecodeGathersExperts: true,
  kvBlockTokens: 0,
  staticCacheRepeatsKv: true,
  source: 'measured: test/fixtures/measured (PyTorch 2.11, transformers 5.17, H100)',
};

export const RUNTIMES: Readonly<Record<RuntimeId, RuntimeProfile>> = {
  pytorch: PYTORCH,
  // The DeepSpeed engine wraps the same PyTorch model: workspaces, context, kernels and caches as for pytorch.
  deepspeed: {
  ...PYTORCH,
  id: 'deepspeed',
  label: 'DeepSpeed ZeRO on PyTorch eager + transformers (SDPA)',
  source: 'DeepSpeed ZeRO (arXiv 1910.02054) over the pytorch profile (test/fixtures/measured)',
  },
  vllm: {
  id: 'vllm',
  label: 'vLLM (paged KV pool)',
  matmulWorkspaceBytes: 33 * 1024 * 1024,
  workspaceThreadsTraining: 1,
  cudaContextBytes: 854_392_832,
  // vLLM reserves gpu_memory_utilization × total up front; the profile run's activations stay reserved.
  allocatorSlackFraction: 0,
  // The hybrid KV allocator gives sliding-window layers only the window.
  slidingWindowCapsCache: true,
  trainingForwardKeepsCache: false,
  mathAttention: { inferencePeak: 0, saved: 0, backward: 0, source: 'vLLM runs its own attention kernels' },
  fp32UsesMathAttention: false,
  moeDecodeGathersExperts: false,
  kvBlockTokens: 16,
  staticCacheRepeatsKv: false,
  source: 'vLLM worker memory profiling (determine_available_memory: requested = total × utilization; KV = requested − weights − profile peak − non-torch); PagedAttention §4 (arXiv 2309.06180)',
  },
};
