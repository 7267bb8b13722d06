// Configuration errors: each one a position (file:line:column), the key path, what is wrong and
// how to fix it, printed as one paragraph. loadMachine throws them all at once as ConfigErrors.
import { isAbsolute, relative } from 'node:path';
import type { SourcePos } from './spec.js';

export type KeyPath = readonly (string | number)[];

export interface ConfigErrorInit {
  /** Absolute path of the file the offending value was written in (or a label: "command line"). */
  readonly file: string;
  /** 1-based; 0 when the value has no position (it came from overrides, not a file). */
  readonly line: number;
  readonly column: number;
  /** "devices.vga.ports.crtc", "wires[2]"; "" for the file as a whole. */
  readonly keyPath: string;
  /** What is wrong, one or more sentences. */
  readonly message: string;
  /** How to fix it. */
  readonly hint?: string;
}

export class ConfigError extends Error implements ConfigErrorInit {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly keyPath: string;
  readonly hint?: string;

  constructor(init: ConfigErrorInit) {
    super(init.message);
    this.file = init.file;
    this.line = init.line;
    this.column = init.column;
    this.keyPath = init.keyPath;
    if (init.hint) this.hint = init.hint;
  }

  get pos(): SourcePos {
    return { file: this.file, line: this.line, column: this.column };
  }
}

/** Every error found in a machine file (and the files it extends), in file order. */
export class ConfigErrors extends Error {
  override readonly name = 'ConfigErrors';
  constructor(readonly file: string, readonly errors: readonly ConfigError[]) {
    super(formatConfigErrors(file, errors));
  }
}

/** A file path as shown to people: relative to the working folder when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** "config/pc.yaml:12:5" (or just the file/label when there is no line). */
export function displayPos(pos: SourcePos, cwd = process.cwd()): string {
  const file = displayPath(pos.file, cwd);
  return pos.line > 0 ? `${file}:${pos.line}:${pos.column}` : file;
}

/** ["devices", "vga", "ports", "crtc"] → "devices.vga.ports.crtc"; numbers as "[2]". */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(seg)) out += (out ? '.' : '') + seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

/** One paragraph: `file:line:col: key.path: message hint`. */
export function formatConfigError(err: ConfigErrorInit, cwd = process.cwd()): string {
  const where = displayPos({ file: err.file, line: err.line, column: err.column }, cwd);
  const key = err.keyPath ? `${err.keyPath}: ` : '';
  const hint = err.hint ? ` ${oneLine(err.hint)}` : '';
  return `${where}: ${key}${oneLine(err.message)}${hint}`;
}

/** Each error's paragraph on its own line, then "N errors in <file>" when there are several. */
export function formatConfigErrors(file: string, errors: readonly ConfigErrorInit[], cwd = process.cwd()): string {
  const lines = errors.map((e) => formatConfigError(e, cwd));
  if (errors.length > 1) lines.push(`${errors.length} errors in ${displayPath(file, cwd)}`);
  return lines.join('\n');
}
