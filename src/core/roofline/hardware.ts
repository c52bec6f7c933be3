/**
 * The hardware catalog (data in catalog.ts, every number with its vendor source) and the GPU record the engine
 * reads. Users add GPUs through settings (`llmFootprint.customGpus`, custom-gpu.ts); those carry memory and, when
 * given, bandwidth and a 16-bit rate, and take part in time like catalog entries.
 */
import { CATALOG, type CatalogEntry, type ComputeDtype } from './catalog.ts';

export { CATALOG, COMPUTE_DTYPES, type ComputeDtype } from './catalog.ts';

export interface Gpu {
  id: string;
  name: string;
  vendor: 'nvidia' | 'amd' | 'google' | 'intel' | 'apple' | 'custom';
  /** Bytes of device memory the driver reports. */
  memoryBytes: number;
  /** HBM/GDDR bandwidth, bytes/s; 0 = unknown. */
  bandwidth: number;
  /** Dense bf16/fp16 tensor FLOP/s (fp32 accumulate); 0 = unknown. */
  flops16: number;
  /** One line naming where the numbers come from (`sources` has one per number). */
  source: string;
  /** Dense FLOP/s per compute dtype (catalog entries); absent dtypes have no tensor path on the chip. */
  flops?: Partial<Record<ComputeDtype, number>>;
  /** Scale-up link (NVLink, Infinity Fabric, ICI), bytes/s per device, both directions. */
  scaleUp?: number;
  /** Host link (PCIe; NVLink-C2C on Grace parts), bytes/s, both directions. */
  hostLink?: number;
  sources?: CatalogEntry['sources'];
}

function fromCatalog(e: CatalogEntry): Gpu {
  return {
    id: e.id,
    name: e.name,
    vendor: e.vendor,
    memoryBytes: e.memoryBytes,
    bandwidth: e.bandwidth,
    flops16: e.flops.bf16 ?? 0,
    source: e.sources.bandwidth === e.sources.flops ? e.sources.flops : `${e.sources.bandwidth}; ${e.sources.flops}`,
    flops: e.flops,
    ...(e.scaleUp !== undefined ? { scaleUp: e.scaleUp } : {}),
    ...(e.hostLink !== undefined ? { hostLink: e.hostLink } : {}),
    sources: e.sources,
  };
}

export const GPUS: readonly Gpu[] = CATALOG.map(fromCatalog);

const BY_ID = new Map(GPUS.map((g) => [g.id, g]));


export function findGpu(id: string, extra: readonly Gpu[] = []): Gpu | undefined {
  const key = id.trim().toLowerCase();
  return extra.find((g) => g.id === key) ?? BY_ID.get(key);
}

/** Dense FLOP/s of `gpu` in `dtype`; 0 when unknown (a custom GPU gives only its 16-bit rate). */
export function peakFlops(gpu: Gpu, dtype: ComputeDtype): number {
  const v = gpu.flops?.[dtype];
  if (v !== undefined) return v;
  return dtype === 'bf16' ? gpu.flops16 : 0;
}
