/**
 * Hardware catalog (data only). Memory is what the driver reports as total (nvidia-smi MiB × 2^20) where known,
 * otherwise the marketing capacity; bandwidth and dense 16-bit tensor throughput are vendor datasheet peaks
 * (dense, no sparsity). Users can add GPUs through settings (`llmFootprint.customGpus`).
 */
export interface Gpu {
  id: string;
  name: string;
  vendor: 'nvidia' | 'amd' | 'custom';
  /** Bytes of device memory the driver reports. */
  memoryBytes: number;
  /** HBM/GDDR bandwidth, bytes/s. */
  bandwidth: number;
  /** Dense bf16/fp16 tensor FLOP/s (fp32 accumulate). */
  flops16: number;
  source: string;
}

const MiB = 1024 * 1024;
const GB = 1e9;
const T = 1e12;

export const GPUS: readonly Gpu[] = [
  { id: 'h100-sxm-80gb', name: 'NVIDIA H100 SXM 80GB', vendor: 'nvidia', memoryBytes: 81559 * MiB, bandwidth: 3.35e12, flops16: 989.5 * T, source: 'NVIDIA H100 datasheet; 81,559 MiB seen by nvidia-smi' },
  { id: 'h100-pcie-80gb', name: 'NVIDIA H100 PCIe 80GB', vendor: 'nvidia', memoryBytes: 81559 * MiB, bandwidth: 2.0e12, flops16: 756 * T, source: 'NVIDIA H100 datasheet' },
  { id: 'h200-141gb', name: 'NVIDIA H200 141GB', vendor: 'nvidia', memoryBytes: 143771 * MiB, bandwidth: 4.8e12, flops16: 989.5 * T, source: 'NVIDIA H200 datasheet; 143,771 MiB seen by nvidia-smi' },
  { id: 'b200-180gb', name: 'NVIDIA B200 180GB', vendor: 'nvidia', memoryBytes: 180 * GB, bandwidth: 8.0e12, flops16: 2250 * T, source: 'NVIDIA DGX B200 datasheet (per GPU)' },
  { id: 'a100-sxm-80gb', name: 'NVIDIA A100 SXM 80GB', vendor: 'nvidia', memoryBytes: 81920 * MiB, bandwidth: 2.039e12, flops16: 312 * T, source: 'NVIDIA A100 datasheet' },
  { id: 'a100-sxm-40gb', name: 'NVIDIA A100 SXM 40GB', vendor: 'nvidia', memoryBytes: 40960 * MiB, bandwidth: 1.555e12, flops16: 312 * T, source: 'NVIDIA A100 datasheet' },
  { id: 'l40s-48gb', name: 'NVIDIA L40S 48GB', vendor: 'nvidia', memoryBytes: 46068 * MiB, bandwidth: 0.864e12, flops16: 362 * T, source: 'NVIDIA L40S datasheet' },
  { id: 'a6000-48gb', name: 'NVIDIA RTX A6000 48GB', vendor: 'nvidia', memoryBytes: 49140 * MiB, bandwidth: 0.768e12, flops16: 154.8 * T, source: 'NVIDIA RTX A6000 datasheet' },
  { id: 'l4-24gb', name: 'NVIDIA L4 24GB', vendor: 'nvidia', memoryBytes: 23034 * MiB, bandwidth: 0.3e12, flops16: 121 * T, source: 'NVIDIA L4 datasheet' },
  { id: 'a10g-24gb', name: 'NVIDIA A10G 24GB', vendor: 'nvidia', memoryBytes: 23028 * MiB, bandwidth: 0.6e12, flops16: 70 * T, source: 'AWS G5 / NVIDIA A10 datasheet' },
  { id: 'rtx-5090', name: 'NVIDIA GeForce RTX 5090 32GB', vendor: 'nvidia', memoryBytes: 32607 * MiB, bandwidth: 1.792e12, flops16: 209.5 * T, source: 'NVIDIA Blackwell GeForce whitepaper (fp32 accumulate)' },
  { id: 'rtx-4090', name: 'NVIDIA GeForce RTX 4090 24GB', vendor: 'nvidia', memoryBytes: 24564 * MiB, bandwidth: 1.008e12, flops16: 165.2 * T, source: 'NVIDIA Ada GeForce whitepaper (fp16 accumulate; 82.6 with fp32 accumulate)' },
  { id: 'rtx-3090', name: 'NVIDIA GeForce RTX 3090 24GB', vendor: 'nvidia', memoryBytes: 24576 * MiB, bandwidth: 0.936e12, flops16: 71 * T, source: 'NVIDIA Ampere GA102 whitepaper' },
  { id: 'v100-sxm-32gb', name: 'NVIDIA V100 SXM2 32GB', vendor: 'nvidia', memoryBytes: 32768 * MiB, bandwidth: 0.9e12, flops16: 125 * T, source: 'NVIDIA V100 datasheet (fp16)' },
  { id: 't4-16gb', name: 'NVIDIA T4 16GB', vendor: 'nvidia', memoryBytes: 15360 * MiB, bandwidth: 0.32e12, flops16: 65 * T, source: 'NVIDIA T4 datasheet (fp16)' },
  { id: 'mi300x-192gb', name: 'AMD Instinct MI300X 192GB', vendor: 'amd', memoryBytes: 192 * GB, bandwidth: 5.3e12, flops16: 1307 * T, source: 'AMD MI300X datasheet' },
];

const BY_ID = new Map(GPUS.map((g) => [g.id, g]));


export function findGpu(id: string, extra: readonly Gpu[] = []): Gpu | undefined {
  const key = id.trim().toLowerCase();
  return extra.find((g) => g.id === key) ?? BY_ID.get(key);
}
