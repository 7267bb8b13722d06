// `--set KEY=VALUE` (and the API's `set:` option): overrides of any key of a machine file, as one
// more layer on top of it, checked by the loader exactly as the file is (errors name "--set" and
// the key). KEY is a dotted path (devices.com1.adapter); VALUE is read as YAML, so 5, true, 2s,
// "text" and { a: 1 } mean what they mean in the file.
import { parse } from 'yaml';
import { UsageError } from '../cli/usage.js';
import type { MachineFile } from './schema.js';

const KEY = /^[A-Za-z_][\w-]*(\.[A-Za-z_0-9][\w-]*)*$/;

/** One `KEY=VALUE` into its key path and value; a UsageError names the flag and the fix. */
export function parseSetFlag(text: string, flag = '--set'): { path: string[]; value: unknown } {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  if (eq < 0 || !KEY.test(key)) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: write KEY=VALUE with KEY a dotted path of the machine file, e.g. ${flag} time.mode=virtual or ${flag} devices.com1.adapter=file.`);
  }
  let value: unknown;
  try {
    value = parse(text.slice(eq + 1));
  } catch (err) {
    throw new UsageError(`${flag} ${key}=…: the value is not valid YAML (${(err as Error).message.split('\n')[0]}). Quote text with special characters: ${flag} '${key}="…"'.`);
  }
  return { path: key.split('.'), value: value ?? null };
}

/** Put `value` at `path` in `into` (objects made on the way; a later key wins over an earlier one). */
export function setAt(into: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = into;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** `--set` flags as one override layer shaped like a machine file. */
export function setOverrides(flags: readonly string[], base: Record<string, unknown> = {}): MachineFile {
  const out = structuredClone(base);
  for (const f of flags) {
    const { path, value } = parseSetFlag(f);
    setAt(out, path, value);
  }
  return out as MachineFile;
}

/** An object of dotted keys ({ 'devices.com1.adapter': 'file', 'time.mode': 'virtual' }, or nested values) as one layer. */
export function nestKeys(record: Readonly<Record<string, unknown>>): MachineFile {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!KEY.test(key)) throw new UsageError(`set: ${JSON.stringify(key)} is not a key path of a machine file; write e.g. 'devices.com1.adapter'.`);
    setAt(out, key.split('.'), structuredClone(value));
  }
  return out as MachineFile;
}
