/**
 * The result of an estimate. Its shape is the CLI's `--json` contract (snake_case keys on purpose:
 * scripts and tests depend on these names), and the extension and webview read the same object.
 */
import type { Term } from './types.ts';
import type { Scenario } from './scenario.ts';
import type { RooflineReport, TimeReport } from './roofline/time.ts';

/** One kind of rank: ranks that hold the same tensors (every data-parallel rank; a pipeline's first or last stage). */
export interface RankMemory {
  /** "every rank", "pipeline stage 0 (embedding)", "last pipeline stage (lm_head, loss)", … */
  rank: string;
  /** How many ranks of the world are of this kind. */
  count: number;
  peak_bytes: number;
  device_bytes: number;
  peak_phase: string;
  fits: boolean | null;
  /** Terms live at this rank's peak, each tagged gpu, cpu or nvme. */
  terms: Term[];
}

/** How the world is divided: degrees, ZeRO stage, offload and nodes. */
export interface ParallelLayout {
  gpus: number;
  nodes: number;
  gpus_per_node: number;
  dp: number;
  tp: number;
  pp: number;
  ep: number;
  cp: number;
  zero: 0 | 1 | 2 | 3;
  offload_optimizer: 'none' | 'cpu' | 'nvme';
  offload_params: 'none' | 'cpu' | 'nvme';
  /** What implements it: "DDP", "FSDP2 full shard", "DeepSpeed ZeRO-3", "vLLM tensor parallel", … */
  strategy: string;
}

export interface Estimate {
  model: {
    type: string;
    adapter: string;
    hidden_size: number;
    layers: number;
    heads: number;
    kv_heads: number;
    head_dim: number;
    vocab_size: number;
    attention: string;
    moe: { experts: number; top_k: number } | null;
  };
  params: { total: number; trainable: number; embedding: number; active: number };
  scenario: Scenario;
  memory: {
    /** Live-tensor peak on the most loaded GPU (what torch.cuda.max_memory_allocated reports). */
    peak_bytes: number;
    /** What nvidia-smi would show: peak + CUDA context + allocator slack. */
    device_bytes: number;
    /** Whether device_bytes fits the target GPU; null when no GPU was given. */
    fits: boolean | null;
    gpu: { id: string; name: string; memory_bytes: number } | null;
    /** Host RAM per node: the host-side terms of every rank on the node (offloaded states, pinned buffers). */
    host_bytes: number;
    /** NVMe bytes per node (ZeRO-Infinity offload). */
    nvme_bytes: number;
    /** Each distinct kind of rank with its own peak; `peak_bytes` and `terms` above are the most loaded one's. */
    ranks: RankMemory[];
    /** Whether host_bytes fits the scenario's hostMemory; null when it is not given. */
    host_fits: boolean | null;
    /** The phase of the step at which the peak happens (e.g. "backward (loss)", "prefill", "decode"). */
    peak_phase: string;
    /** Live bytes of every phase considered; the largest is the peak. */
    phases: { phase: string; bytes: number }[];
    /** Terms live at the peak; their bytes add up to peak_bytes (gpu) and host_bytes (cpu). */
    terms: Term[];
    /** Terms that exist only in device_bytes (CUDA context, allocator reserve). */
    device_terms: Term[];
    /** KV cache bytes per token of context (all layers), for hovers and solvers. */
    kv_bytes_per_token: number;
    /** Serving engines with a preallocated KV pool (vLLM): how the GPU budget splits, and how many requests fit. */
    serving: {
      /** gpu_memory_utilization × GPU memory. */
      budget_bytes: number;
      /** What is left for the KV pool after weights, the profile run's peak and the CUDA context. */
      kv_pool_bytes: number;
      /** KV of one request of the full length (seq + new tokens), rounded up to whole blocks. */
      kv_bytes_per_request: number;
      /** Requests of the full length that fit in the pool at once (vLLM's "maximum concurrency"). */
      max_concurrency: number;
    } | null;
  };
  /** The world's layout; null on one GPU. */
  parallel: ParallelLayout | null;
  warnings: string[];
  /** The time bound at 100% of the GPU's catalog numbers, per operator and per phase; `reason` when it cannot be computed. */
  roofline: RooflineReport;
  /** Expected time: the roofline with efficiencies and the runtime's overheads applied. */
  time: TimeReport;
}
