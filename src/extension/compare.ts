/** Scenarios the "Compare Scenarios" command starts from: the file's own, and the usual what-ifs. Pure. */
import type { Scenario, ScenarioInput } from '../core/index.ts';

export function compareSeeds(s: Scenario): ScenarioInput[] {
  const out: ScenarioInput[] = [{ ...s }];
  if (s.mode === 'training') {
    out.push({ ...s, gradCheckpointing: !s.gradCheckpointing });
    out.push(s.loraRank ? { ...s, loraRank: null } : { ...s, loraRank: 16 });
  } else {
    out.push({ ...s, batch: Math.max(1, Math.floor(s.batch / 2)) });
    out.push({ ...s, kvDtype: s.kvDtype === 'fp8' ? 'auto' : 'fp8' });
  }
  return out;
}
