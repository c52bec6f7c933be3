/** JSON files read by the tests, typed as what the tests use them for rather than `any`. */
import { readFileSync } from 'node:fs';

/** A JSON object such as a model config.json: the tests read, change and delete its keys. */
export type JsonObject = Record<string, unknown>;

export function readJsonObject(file: string | URL): JsonObject {
  return JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
}

/** A setting's JSON schema in package.json (the fields the manifest tests read). */
export interface SettingSchema {
  type?: string | string[];
  default?: unknown;
  markdownDescription?: string;
  scope?: string;
  anyOf?: { enum?: string[]; pattern?: string }[];
  items?: { type: string; required: string[]; properties: Record<string, unknown> };
}

/** package.json, as far as the manifest tests read it. */
export interface Manifest {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean } };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, SettingSchema> };
  };
}

export function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}
