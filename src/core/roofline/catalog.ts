/**
 * The hardware catalog as data: one entry per accelerator, every number with the vendor document it comes from.
 * Rates are dense (no structured sparsity: vendors print sparse figures, which are twice these); a dtype the chip
 * has no tensor path for is left out, so time in that dtype cannot be computed (rather than being guessed).
 *
 * Memory: what the driver reports (nvidia-smi MiB × 2^20) where the project has seen it, else the vendor's capacity.
 * Bandwidth: bytes/s of device memory. Links: bytes/s per GPU, both directions added (as vendors print NVLink),
 * PCIe likewise (a Gen5 ×16 slot is 128 GB/s both ways); `hostLink` is the link to host memory that offload uses.
 * The sixteen entries before the first of the issue-10 list keep the ids and memory numbers they always had.
 */

/** Compute dtypes with a tensor (matrix) path. */
export const COMPUTE_DTYPES = ['fp32', 'tf32', 'bf16', 'fp8', 'int8', 'fp4'] as const;
export type ComputeDtype = (typeof COMPUTE_DTYPES)[number];

export interface CatalogEntry {
  id: string;
  name: string;
  vendor: 'nvidia' | 'amd' | 'google' | 'intel' | 'apple';
  memoryBytes: number;
  bandwidth: number;
  /** Dense FLOP/s (OPS for int8) per dtype; bf16 = fp16 with fp32 accumulation unless the source says otherwise. */
  flops: Partial<Record<ComputeDtype, number>>;
  /** Scale-up link per device (NVLink, Infinity Fabric, ICI, RoCE on Gaudi), bytes/s both directions; absent = none. */
  scaleUp?: number;
  /** Host link (PCIe, or NVLink-C2C on Grace parts), bytes/s both directions. */
  hostLink?: number;
  sources: { memory: string; bandwidth: string; flops: string; links?: string };
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const GB = 1e9;
const T = 1e12;
const PCIE3 = 32 * GB;
const PCIE4 = 64 * GB;
const PCIE5 = 128 * GB;

const NV_H100 = 'NVIDIA H100 Tensor Core GPU datasheet (SXM column; dense = half the printed sparse figures)';
const NV_A100 = 'NVIDIA A100 Tensor Core GPU datasheet (dense = half the printed sparse figures)';
const NV_BLACKWELL = 'NVIDIA HGX B200 datasheet, per GPU (8-GPU totals ÷ 8; dense = half the printed sparse figures)';

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'h100-sxm-80gb', name: 'NVIDIA H100 SXM 80GB', vendor: 'nvidia', memoryBytes: 81559 * MiB, bandwidth: 3.35e12,
    flops: { fp32: 67 * T, tf32: 494.7 * T, bf16: 989.5 * T, fp8: 1979 * T, int8: 1979 * T },
    scaleUp: 900 * GB, hostLink: PCIE5,
    sources: { memory: '81,559 MiB seen by nvidia-smi (80 GB HBM3)', bandwidth: NV_H100, flops: NV_H100, links: `${NV_H100}: NVLink 900 GB/s, PCIe Gen5 128 GB/s` },
  },
  {
    id: 'h100-pcie-80gb', name: 'NVIDIA H100 PCIe 80GB', vendor: 'nvidia', memoryBytes: 81559 * MiB, bandwidth: 2.0e12,
    flops: { fp32: 51 * T, tf32: 378 * T, bf16: 756 * T, fp8: 1513 * T, int8: 1513 * T },
    scaleUp: 600 * GB, hostLink: PCIE5,
    sources: { memory: 'NVIDIA H100 datasheet: 80 GB (as the SXM part)', bandwidth: 'NVIDIA H100 datasheet (PCIe column)', flops: 'NVIDIA H100 datasheet (PCIe column, dense)', links: 'NVIDIA H100 datasheet (PCIe): NVLink bridge 600 GB/s, PCIe Gen5 128 GB/s' },
  },
  {
    id: 'h200-141gb', name: 'NVIDIA H200 141GB', vendor: 'nvidia', memoryBytes: 143771 * MiB, bandwidth: 4.8e12,
    flops: { fp32: 67 * T, tf32: 494.7 * T, bf16: 989.5 * T, fp8: 1979 * T, int8: 1979 * T },
    scaleUp: 900 * GB, hostLink: PCIE5,
    sources: { memory: '143,771 MiB seen by nvidia-smi (141 GB HBM3e)', bandwidth: 'NVIDIA H200 Tensor Core GPU datasheet (SXM): 4.8 TB/s', flops: 'NVIDIA H200 datasheet (SXM; dense = half the printed sparse figures)', links: 'NVIDIA H200 datasheet (SXM): NVLink 900 GB/s, PCIe Gen5 128 GB/s' },
  },
  {
    id: 'b200-180gb', name: 'NVIDIA B200 180GB', vendor: 'nvidia', memoryBytes: 180 * GB, bandwidth: 8.0e12,
    flops: { fp32: 75 * T, tf32: 1125 * T, bf16: 2250 * T, fp8: 4500 * T, int8: 4500 * T, fp4: 9000 * T },
    scaleUp: 1800 * GB, hostLink: PCIE5,
    sources: { memory: 'NVIDIA DGX B200 datasheet: 1,440 GB over 8 GPUs', bandwidth: 'NVIDIA DGX B200 datasheet: 64 TB/s over 8 GPUs', flops: NV_BLACKWELL, links: `${NV_BLACKWELL}: NVLink 1.8 TB/s, PCIe Gen5` },
  },
  {
    id: 'a100-sxm-80gb', name: 'NVIDIA A100 SXM 80GB', vendor: 'nvidia', memoryBytes: 81920 * MiB, bandwidth: 2.039e12,
    flops: { fp32: 19.5 * T, tf32: 156 * T, bf16: 312 * T, int8: 624 * T },
    scaleUp: 600 * GB, hostLink: PCIE4,
    sources: { memory: 'NVIDIA A100 datasheet: 80 GB HBM2e', bandwidth: `${NV_A100}: 2,039 GB/s (SXM 80GB)`, flops: NV_A100, links: `${NV_A100}: NVLink 600 GB/s, PCIe Gen4 64 GB/s` },
  },
  {
    id: 'a100-sxm-40gb', name: 'NVIDIA A100 SXM 40GB', vendor: 'nvidia', memoryBytes: 40960 * MiB, bandwidth: 1.555e12,
    flops: { fp32: 19.5 * T, tf32: 156 * T, bf16: 312 * T, int8: 624 * T },
    scaleUp: 600 * GB, hostLink: PCIE4,
    sources: { memory: 'NVIDIA A100 datasheet: 40 GB HBM2', bandwidth: `${NV_A100}: 1,555 GB/s (40GB)`, flops: NV_A100, links: `${NV_A100}: NVLink 600 GB/s, PCIe Gen4 64 GB/s` },
  },
  {
    id: 'l40s-48gb', name: 'NVIDIA L40S 48GB', vendor: 'nvidia', memoryBytes: 46068 * MiB, bandwidth: 0.864e12,
    flops: { fp32: 91.6 * T, tf32: 183 * T, bf16: 362 * T, fp8: 733 * T, int8: 733 * T },
    hostLink: PCIE4,
    sources: { memory: 'NVIDIA L40S datasheet: 48 GB GDDR6 (46,068 MiB usable with ECC)', bandwidth: 'NVIDIA L40S datasheet: 864 GB/s', flops: 'NVIDIA L40S datasheet (dense = half the printed sparse figures)', links: 'NVIDIA L40S datasheet: PCIe Gen4 ×16 64 GB/s, no NVLink' },
  },
  {
    id: 'a6000-48gb', name: 'NVIDIA RTX A6000 48GB', vendor: 'nvidia', memoryBytes: 49140 * MiB, bandwidth: 0.768e12,
    flops: { fp32: 38.7 * T, tf32: 77.4 * T, bf16: 154.8 * T, int8: 309.7 * T },
    scaleUp: 112.5 * GB, hostLink: PCIE4,
    sources: { memory: 'NVIDIA RTX A6000 datasheet: 48 GB GDDR6', bandwidth: 'NVIDIA RTX A6000 datasheet: 768 GB/s', flops: 'NVIDIA Ampere GA102 whitepaper, RTX A6000 column (dense)', links: 'NVIDIA RTX A6000 datasheet: NVLink bridge 112.5 GB/s, PCIe Gen4 ×16' },
  },
  {
    id: 'l4-24gb', name: 'NVIDIA L4 24GB', vendor: 'nvidia', memoryBytes: 23034 * MiB, bandwidth: 0.3e12,
    flops: { fp32: 30.3 * T, tf32: 60 * T, bf16: 121 * T, fp8: 242.5 * T, int8: 242.5 * T },
    hostLink: PCIE4,
    sources: { memory: 'NVIDIA L4 datasheet: 24 GB GDDR6', bandwidth: 'NVIDIA L4 datasheet: 300 GB/s', flops: 'NVIDIA L4 datasheet (dense = half the printed sparse figures)', links: 'NVIDIA L4 datasheet: PCIe Gen4 ×16 64 GB/s' },
  },
  {
    id: 'a10g-24gb', name: 'NVIDIA A10G 24GB', vendor: 'nvidia', memoryBytes: 23028 * MiB, bandwidth: 0.6e12,
    flops: { fp32: 31.2 * T, tf32: 35 * T, bf16: 70 * T, int8: 140 * T },
    hostLink: PCIE4,
    sources: { memory: 'AWS G5 instance page: 24 GB per A10G', bandwidth: 'NVIDIA A10 datasheet: 600 GB/s', flops: 'AWS G5 / A10G: 70 TFLOPS fp16 tensor (lower clocks than the A10); tf32 and int8 scaled from it', links: 'NVIDIA A10 datasheet: PCIe Gen4 ×16' },
  },
  {
    id: 'rtx-5090', name: 'NVIDIA GeForce RTX 5090 32GB', vendor: 'nvidia', memoryBytes: 32607 * MiB, bandwidth: 1.792e12,
    flops: { fp32: 104.8 * T, tf32: 104.8 * T, bf16: 209.5 * T, fp8: 419 * T, int8: 838 * T, fp4: 1676 * T },
    hostLink: PCIE5,
    sources: { memory: 'NVIDIA RTX Blackwell GPU architecture whitepaper: 32 GB GDDR7', bandwidth: 'NVIDIA RTX Blackwell whitepaper: 1,792 GB/s', flops: 'NVIDIA RTX Blackwell whitepaper, RTX 5090 (dense, fp32 accumulate)', links: 'NVIDIA RTX Blackwell whitepaper: PCIe Gen5 ×16, no NVLink' },
  },
  {
    id: 'rtx-4090', name: 'NVIDIA GeForce RTX 4090 24GB', vendor: 'nvidia', memoryBytes: 24564 * MiB, bandwidth: 1.008e12,
    flops: { fp32: 82.6 * T, tf32: 82.6 * T, bf16: 165.2 * T, fp8: 330.3 * T, int8: 660.6 * T },
    hostLink: PCIE4,
    sources: { memory: 'NVIDIA Ada GPU architecture whitepaper: 24 GB GDDR6X', bandwidth: 'NVIDIA Ada whitepaper: 1,008 GB/s', flops: 'NVIDIA Ada whitepaper, RTX 4090 (dense, fp16 accumulate; 82.6 TFLOPS bf16 with fp32 accumulate)', links: 'NVIDIA Ada whitepaper: PCIe Gen4 ×16, no NVLink' },
  },
  {
    id: 'rtx-3090', name: 'NVIDIA GeForce RTX 3090 24GB', vendor: 'nvidia', memoryBytes: 24576 * MiB, bandwidth: 0.936e12,
    flops: { fp32: 35.6 * T, tf32: 35.6 * T, bf16: 71 * T, int8: 284 * T },
    scaleUp: 112.5 * GB, hostLink: PCIE4,
    sources: { memory: 'NVIDIA Ampere GA102 whitepaper: 24 GB GDDR6X', bandwidth: 'NVIDIA GA102 whitepaper: 936 GB/s', flops: 'NVIDIA GA102 whitepaper, RTX 3090 (dense, fp16 accumulate; half with fp32 accumulate)', links: 'NVIDIA GA102 whitepaper: NVLink 112.5 GB/s, PCIe Gen4' },
  },
  {
    id: 'v100-sxm-32gb', name: 'NVIDIA V100 SXM2 32GB', vendor: 'nvidia', memoryBytes: 32768 * MiB, bandwidth: 0.9e12,
    flops: { fp32: 15.7 * T, bf16: 125 * T },
    scaleUp: 300 * GB, hostLink: PCIE3,
    sources: { memory: 'NVIDIA V100 datasheet: 32 GB HBM2', bandwidth: 'NVIDIA V100 datasheet: 900 GB/s', flops: 'NVIDIA V100 datasheet (SXM2): 125 TFLOPS tensor (fp16 only: no bf16, tf32, fp8 or int8 tensor path; the fp16 rate stands for 16-bit)', links: 'NVIDIA V100 datasheet: NVLink 300 GB/s, PCIe Gen3 32 GB/s' },
  },
  {
    id: 't4-16gb', name: 'NVIDIA T4 16GB', vendor: 'nvidia', memoryBytes: 15360 * MiB, bandwidth: 0.32e12,
    flops: { fp32: 8.1 * T, bf16: 65 * T, int8: 130 * T },
    hostLink: PCIE3,
    sources: { memory: 'NVIDIA T4 datasheet: 16 GB GDDR6', bandwidth: 'NVIDIA T4 datasheet: 320 GB/s', flops: 'NVIDIA T4 datasheet: 65 TFLOPS fp16 (no bf16: the fp16 rate stands for 16-bit), 130 TOPS int8', links: 'NVIDIA T4 datasheet: PCIe Gen3 ×16' },
  },
  {
    id: 'mi300x-192gb', name: 'AMD Instinct MI300X 192GB', vendor: 'amd', memoryBytes: 192 * GB, bandwidth: 5.3e12,
    flops: { fp32: 163.4 * T, tf32: 653.7 * T, bf16: 1307.4 * T, fp8: 2614.9 * T, int8: 2614.9 * T },
    scaleUp: 896 * GB, hostLink: PCIE5,
    sources: { memory: 'AMD Instinct MI300X datasheet: 192 GB HBM3', bandwidth: 'AMD MI300X datasheet: 5.3 TB/s', flops: 'AMD MI300X datasheet (dense; fp32 = matrix)', links: 'AMD MI300X datasheet: Infinity Fabric 896 GB/s (7 links), PCIe Gen5 ×16' },
  },
  // ——— added for issue 10 ———
  {
    id: 'h100-nvl-94gb', name: 'NVIDIA H100 NVL 94GB', vendor: 'nvidia', memoryBytes: 94 * GB, bandwidth: 3.9e12,
    flops: { fp32: 60 * T, tf32: 417.5 * T, bf16: 835.5 * T, fp8: 1670.5 * T, int8: 1670.5 * T },
    scaleUp: 600 * GB, hostLink: PCIE5,
    sources: { memory: 'NVIDIA H100 datasheet (NVL column): 94 GB', bandwidth: 'NVIDIA H100 datasheet (NVL): 3.9 TB/s', flops: 'NVIDIA H100 datasheet (NVL column; dense = half the printed sparse figures)', links: 'NVIDIA H100 datasheet (NVL): NVLink 600 GB/s, PCIe Gen5 128 GB/s' },
  },
  {
    id: 'h20-96gb', name: 'NVIDIA H20 96GB', vendor: 'nvidia', memoryBytes: 96 * GB, bandwidth: 4.0e12,
    flops: { fp32: 44 * T, tf32: 74 * T, bf16: 148 * T, fp8: 296 * T, int8: 296 * T },
    scaleUp: 900 * GB, hostLink: PCIE5,
    sources: { memory: 'NVIDIA HGX H20 product brief: 96 GB HBM3', bandwidth: 'NVIDIA HGX H20 product brief: 4.0 TB/s', flops: 'NVIDIA HGX H20 product brief (dense)', links: 'NVIDIA HGX H20 product brief: NVLink 900 GB/s, PCIe Gen5 ×16' },
  },
  {
    id: 'gb200-186gb', name: 'NVIDIA GB200 (one Blackwell GPU) 186GB', vendor: 'nvidia', memoryBytes: 186 * GB, bandwidth: 8.0e12,
    flops: { fp32: 90 * T, tf32: 1250 * T, bf16: 2500 * T, fp8: 5000 * T, int8: 5000 * T, fp4: 10000 * T },
    scaleUp: 1800 * GB, hostLink: 900 * GB,
    sources: { memory: 'NVIDIA GB200 NVL72 datasheet: 13.4 TB HBM3e over 72 GPUs (≈186 GB each)', bandwidth: 'NVIDIA GB200 NVL72 datasheet: 576 TB/s over 72 GPUs', flops: 'NVIDIA GB200 NVL72 datasheet, per superchip ÷ 2 GPUs (dense = half the printed sparse figures)', links: 'NVIDIA GB200 NVL72 datasheet: NVLink 1.8 TB/s per GPU; NVLink-C2C 900 GB/s to the Grace CPU (the host link)' },
  },
  {
    id: 'a100-pcie-80gb', name: 'NVIDIA A100 PCIe 80GB', vendor: 'nvidia', memoryBytes: 81920 * MiB, bandwidth: 1.935e12,
    flops: { fp32: 19.5 * T, tf32: 156 * T, bf16: 312 * T, int8: 624 * T },
    scaleUp: 600 * GB, hostLink: PCIE4,
    sources: { memory: 'NVIDIA A100 datasheet: 80 GB HBM2e', bandwidth: `${NV_A100}: 1,935 GB/s (PCIe 80GB)`, flops: NV_A100, links: `${NV_A100}: NVLink bridge 600 GB/s (2 GPUs), PCIe Gen4 64 GB/s` },
  },
  {
    id: 'a10-24gb', name: 'NVIDIA A10 24GB', vendor: 'nvidia', memoryBytes: 23028 * MiB, bandwidth: 0.6e12,
    flops: { fp32: 31.2 * T, tf32: 62.5 * T, bf16: 125 * T, int8: 250 * T },
    hostLink: PCIE4,
    sources: { memory: 'NVIDIA A10 datasheet: 24 GB GDDR6 (23,028 MiB usable, as the A10G)', bandwidth: 'NVIDIA A10 datasheet: 600 GB/s', flops: 'NVIDIA A10 datasheet (dense = half the printed sparse figures)', links: 'NVIDIA A10 datasheet: PCIe Gen4 ×16 64 GB/s' },
  },
  {
    id: 'rtx-a5000-24gb', name: 'NVIDIA RTX A5000 24GB', vendor: 'nvidia', memoryBytes: 24 * GB, bandwidth: 0.768e12,
    flops: { fp32: 27.8 * T, tf32: 55.6 * T, bf16: 111.1 * T, int8: 222.2 * T },
    scaleUp: 112.5 * GB, hostLink: PCIE4,
    sources: { memory: 'NVIDIA RTX A5000 datasheet: 24 GB GDDR6', bandwidth: 'NVIDIA RTX A5000 datasheet: 768 GB/s', flops: 'NVIDIA RTX A5000 datasheet: 222.2 TFLOPS tensor (sparse) → 111.1 dense 16-bit', links: 'NVIDIA RTX A5000 datasheet: NVLink bridge 112.5 GB/s, PCIe Gen4 ×16' },
  },
  {
    id: 'rtx-a4000-16gb', name: 'NVIDIA RTX A4000 16GB', vendor: 'nvidia', memoryBytes: 16 * GB, bandwidth: 0.448e12,
    flops: { fp32: 19.2 * T, tf32: 38.4 * T, bf16: 76.7 * T, int8: 153.4 * T },
    hostLink: PCIE4,
    sources: { memory: 'NVIDIA RTX A4000 datasheet: 16 GB GDDR6', bandwidth: 'NVIDIA RTX A4000 datasheet: 448 GB/s', flops: 'NVIDIA RTX A4000 datasheet: 153.4 TFLOPS tensor (sparse) → 76.7 dense 16-bit', links: 'NVIDIA RTX A4000 datasheet: PCIe Gen4 ×16, no NVLink' },
  },
  {
    id: 'rtx-6000-ada-48gb', name: 'NVIDIA RTX 6000 Ada 48GB', vendor: 'nvidia', memoryBytes: 48 * GB, bandwidth: 0.96e12,
    flops: { fp32: 91.1 * T, tf32: 182.1 * T, bf16: 364.2 * T, fp8: 728.5 * T, int8: 728.5 * T },
    hostLink: PCIE4,
    sources: { memory: 'NVIDIA RTX 6000 Ada datasheet: 48 GB GDDR6', bandwidth: 'NVIDIA RTX 6000 Ada datasheet: 960 GB/s', flops: 'NVIDIA RTX 6000 Ada datasheet: 1,457 TFLOPS fp8 (sparse) → dense rates halved per dtype', links: 'NVIDIA RTX 6000 Ada datasheet: PCIe Gen4 ×16, no NVLink' },
  },
  {
    id: 'l40-48gb', name: 'NVIDIA L40 48GB', vendor: 'nvidia', memoryBytes: 48 * GB, bandwidth: 0.864e12,
    flops: { fp32: 90.5 * T, tf32: 90.5 * T, bf16: 181 * T, fp8: 362 * T, int8: 362 * T },
    hostLink: PCIE4,
    sources: { memory: 'NVIDIA L40 datasheet: 48 GB GDDR6', bandwidth: 'NVIDIA L40 datasheet: 864 GB/s', flops: 'NVIDIA L40 datasheet (dense = half the printed sparse figures)', links: 'NVIDIA L40 datasheet: PCIe Gen4 ×16, no NVLink' },
  },
  {
    id: 'mi250x-128gb', name: 'AMD Instinct MI250X 128GB', vendor: 'amd', memoryBytes: 128 * GB, bandwidth: 3.2768e12,
    flops: { fp32: 95.7 * T, bf16: 383 * T, int8: 383 * T },
    scaleUp: 800 * GB, hostLink: PCIE4,
    sources: { memory: 'AMD Instinct MI250X datasheet: 128 GB HBM2e (two dies)', bandwidth: 'AMD MI250X datasheet: 3.2768 TB/s', flops: 'AMD MI250X datasheet (fp32 = matrix; no tf32 or fp8)', links: 'AMD MI250X datasheet: Infinity Fabric up to 800 GB/s, PCIe Gen4 ×16' },
  },
  {
    id: 'mi325x-256gb', name: 'AMD Instinct MI325X 256GB', vendor: 'amd', memoryBytes: 256 * GB, bandwidth: 6.0e12,
    flops: { fp32: 163.4 * T, tf32: 653.7 * T, bf16: 1307.4 * T, fp8: 2614.9 * T, int8: 2614.9 * T },
    scaleUp: 896 * GB, hostLink: PCIE5,
    sources: { memory: 'AMD Instinct MI325X datasheet: 256 GB HBM3E', bandwidth: 'AMD MI325X datasheet: 6 TB/s', flops: 'AMD MI325X datasheet (dense)', links: 'AMD MI325X datasheet: Infinity Fabric 896 GB/s, PCIe Gen5 ×16' },
  },
  {
    id: 'mi355x-288gb', name: 'AMD Instinct MI355X 288GB', vendor: 'amd', memoryBytes: 288 * GB, bandwidth: 8.0e12,
    flops: { fp32: 157.3 * T, bf16: 2516.6 * T, fp8: 5033.2 * T, int8: 5033.2 * T, fp4: 10066.3 * T },
    scaleUp: 1075.2 * GB, hostLink: PCIE5,
    sources: { memory: 'AMD Instinct MI355X datasheet: 288 GB HBM3E', bandwidth: 'AMD MI355X datasheet: 8 TB/s', flops: 'AMD MI355X datasheet (dense; MXFP4 for fp4; no tf32)', links: 'AMD MI355X datasheet: Infinity Fabric 1,075 GB/s, PCIe Gen5 ×16' },
  },
  {
    id: 'tpu-v5e', name: 'Google TPU v5e (one chip) 16GB', vendor: 'google', memoryBytes: 16 * GiB, bandwidth: 819 * GB,
    flops: { bf16: 197 * T, int8: 394 * T },
    scaleUp: 200 * GB,
    sources: { memory: 'Google Cloud TPU v5e documentation: 16 GiB HBM2 per chip', bandwidth: 'Google Cloud TPU v5e documentation: 819 GB/s', flops: 'Google Cloud TPU v5e documentation: 197 TFLOPS bf16, 394 TOPS int8', links: 'Google Cloud TPU v5e documentation: ICI 1,600 Gbps per chip' },
  },
  {
    id: 'tpu-v5p', name: 'Google TPU v5p (one chip) 95GB', vendor: 'google', memoryBytes: 95 * GiB, bandwidth: 2765 * GB,
    flops: { bf16: 459 * T, int8: 918 * T },
    scaleUp: 600 * GB,
    sources: { memory: 'Google Cloud TPU v5p documentation: 95 GiB HBM2e per chip', bandwidth: 'Google Cloud TPU v5p documentation: 2,765 GB/s', flops: 'Google Cloud TPU v5p documentation: 459 TFLOPS bf16, 918 TOPS int8', links: 'Google Cloud TPU v5p documentation: ICI 4,800 Gbps per chip' },
  },
  {
    id: 'tpu-v6e', name: 'Google TPU v6e Trillium (one chip) 32GB', vendor: 'google', memoryBytes: 32 * GiB, bandwidth: 1640 * GB,
    flops: { bf16: 918 * T, int8: 1836 * T },
    scaleUp: 448 * GB,
    sources: { memory: 'Google Cloud TPU v6e documentation: 32 GiB HBM per chip', bandwidth: 'Google Cloud TPU v6e documentation: 1,640 GB/s', flops: 'Google Cloud TPU v6e documentation: 918 TFLOPS bf16, 1,836 TOPS int8', links: 'Google Cloud TPU v6e documentation: ICI 3,584 Gbps per chip' },
  },
  {
    id: 'gaudi3-128gb', name: 'Intel Gaudi 3 128GB', vendor: 'intel', memoryBytes: 128 * GB, bandwidth: 3.7e12,
    flops: { bf16: 1835 * T, fp8: 1835 * T },
    scaleUp: 1200 * GB, hostLink: PCIE5,
    sources: { memory: 'Intel Gaudi 3 AI accelerator white paper: 128 GB HBM2e', bandwidth: 'Intel Gaudi 3 white paper: 3.7 TB/s', flops: 'Intel Gaudi 3 white paper: 1,835 TFLOPS bf16 and fp8 (matrix engines)', links: 'Intel Gaudi 3 white paper: 24 × 200 GbE RoCE (1.2 TB/s both directions), PCIe Gen5 ×16' },
  },
  {
    id: 'apple-m2-max-96gb', name: 'Apple M2 Max (38-core GPU) 96GB unified', vendor: 'apple', memoryBytes: 96 * GiB, bandwidth: 400 * GB,
    flops: { fp32: 13.6 * T, bf16: 13.6 * T },
    sources: { memory: 'Apple M2 Max newsroom announcement (Jan 2023): up to 96 GB unified memory (macOS lets the GPU use about 75% by default)', bandwidth: 'Apple M2 Max announcement: 400 GB/s', flops: 'Apple M2 Max announcement: 13.6 TFLOPS (fp32 shader rate; no separate matrix rate, so 16-bit is taken at the same rate)' },
  },
  {
    id: 'apple-m2-ultra-192gb', name: 'Apple M2 Ultra (76-core GPU) 192GB unified', vendor: 'apple', memoryBytes: 192 * GiB, bandwidth: 800 * GB,
    flops: { fp32: 27.2 * T, bf16: 27.2 * T },
    sources: { memory: 'Apple M2 Ultra newsroom announcement (Jun 2023): up to 192 GB unified memory', bandwidth: 'Apple M2 Ultra announcement: 800 GB/s', flops: 'Apple M2 Ultra announcement: 27.2 TFLOPS (fp32 shader rate, taken for 16-bit too)' },
  },
  {
    id: 'apple-m3-max-128gb', name: 'Apple M3 Max (40-core GPU) 128GB unified', vendor: 'apple', memoryBytes: 128 * GiB, bandwidth: 400 * GB,
    flops: {},
    sources: { memory: 'Apple M3 Max newsroom announcement (Oct 2023): up to 128 GB unified memory', bandwidth: 'Apple M3 Max announcement: 400 GB/s (40-core GPU part)', flops: 'Apple publishes no FLOP/s for the M3 Max: compute-bound time cannot be computed' },
  },
  {
    id: 'apple-m3-ultra-512gb', name: 'Apple M3 Ultra (80-core GPU) 512GB unified', vendor: 'apple', memoryBytes: 512 * GiB, bandwidth: 819 * GB,
    flops: {},
    sources: { memory: 'Apple Mac Studio (2025) newsroom announcement: M3 Ultra with up to 512 GB unified memory', bandwidth: 'Apple Mac Studio (2025) announcement: 819 GB/s', flops: 'Apple publishes no FLOP/s for the M3 Ultra: compute-bound time cannot be computed' },
  },
  {
    id: 'apple-m4-max-128gb', name: 'Apple M4 Max (40-core GPU) 128GB unified', vendor: 'apple', memoryBytes: 128 * GiB, bandwidth: 546 * GB,
    flops: {},
    sources: { memory: 'Apple M4 Max newsroom announcement (Oct 2024): up to 128 GB unified memory (there is no M4 Ultra)', bandwidth: 'Apple M4 Max announcement: 546 GB/s', flops: 'Apple publishes no FLOP/s for the M4 Max: compute-bound time cannot be computed' },
  },
];
