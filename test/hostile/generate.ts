/**
 * The pathological workspace files of issue 12, generated (the large ones are not checked in). Shared by the
 * regression tests (test/unit/hostile/*.test.ts) and `npm run bench`.
 */

/** A script of `n` `vllm serve` lines (≈ 90 KB for 1,600): quick fixes used to re-parse the whole file per command. */
export function manyVllmCommands(n = 1600): string {
  const lines = ['#!/bin/bash'];
  for (let i = 0; i < n; i++) lines.push(`vllm serve ./model --max-model-len 131072 --gpu-memory-utilization 0.3 --port ${8000 + i}`);
  return lines.join('\n') + '\n';
}

/** A YAML of `bytes` of broken lines under a valid axolotl head (the parser's error path). */
export function brokenYaml(bytes = 2 * 1024 * 1024 - 4096): string {
  const head = 'base_model: ./model\nmicro_batch_size: 2\n';
  const line = 'key: [unclosed, "x\n';
  return head + line.repeat(Math.floor((bytes - head.length) / line.length));
}

/** A 236-byte-class script that doubles a shell variable `times` times before `vllm serve`. */
export function doublingScript(times = 30): string {
  const lines = ['A=xxxxxxxx'];
  for (let i = 0; i < times; i++) lines.push('A=$A$A');
  lines.push('vllm serve ./model --served-model-name $A');
  return lines.join('\n') + '\n';
}

/** JSON nested `depth` deep inside a model config. */
export function deepJson(depth = 10_000): string {
  return `{"model_type": "llama", "x": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** YAML nested `depth` deep (flow style) under an axolotl head. */
export function deepYaml(depth = 10_000): string {
  return `base_model: ./model\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
}

/** Billion laughs: nine levels of ten aliases each. */
export function billionLaughs(): string {
  const lines = ['base_model: ./model', 'a0: &a0 ["lol"]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

/** A valid axolotl YAML of about `bytes` (a long datasets list). */
export function largeAxolotl(bytes = 3 * 1024 * 1024): string {
  const head = 'base_model: ./model\nmicro_batch_size: 2\nsequence_len: 1024\ndatasets:\n';
  const item = '  - path: org/some-dataset-name\n    type: alpaca\n';
  return head + item.repeat(Math.ceil((bytes - head.length) / item.length));
}
