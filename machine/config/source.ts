// A machine file as parsed YAML with positions: key paths → file:line:column.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Node } from 'yaml';
import { ConfigError, formatKeyPath } from './errors.js';
import type { KeyPath } from './errors.js';
import type { SourcePos } from './spec.js';

export interface Source {
  /** Absolute path, or a label ("command line") for overrides. */
  readonly file: string;
  /** Folder that relative paths written in this source resolve against. */
  readonly dir: string;
  readonly doc: Document;
  readonly lines?: LineCounter;
}

/** Where a value was written: the source and the key path inside it. */
export interface At {
  readonly src: Source;
  readonly path: KeyPath;
}

const YAML_HINTS: Readonly<Record<string, string>> = {
  BAD_INDENT: 'Indent nested keys with spaces, deeper than their parent key, and the same amount for keys of one map.',
  TAB_AS_INDENT: 'YAML indentation must be spaces, not tabs.',
  DUPLICATE_KEY: 'A key may appear only once in a map: merge the two entries into one.',
  MULTIPLE_DOCS: 'A machine file holds one YAML document: remove the "---" line.',
  MISSING_CHAR: 'Close the bracket, brace or quote that was opened.',
  BLOCK_AS_IMPLICIT_KEY: 'Put a space after the colon of "key: value", and keep keys on a single line.',
  MULTILINE_IMPLICIT_KEY: 'Keys must be on a single line: check for a missing colon on the line before.',
  UNEXPECTED_TOKEN: 'Check the punctuation: "key: value" needs a space after the colon, list items start with "- ".',
};

/** Read and parse a YAML file. Syntax errors come back as ConfigErrors (then `src` is undefined). */
export function readSource(file: string): { src?: Source; errors: ConfigError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(err as Error).message}`;
    return { errors: [new ConfigError({ file, line: 0, column: 0, keyPath: '', message, hint: 'Check the path.' })] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const errors = doc.errors.map((e) => {
    const lp = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    let message = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim();
    let hint = YAML_HINTS[e.code] ?? 'Fix the YAML syntax at this position.';
    if (e.code === 'DUPLICATE_KEY') message = `the key "${/^[^:\n]*/.exec(text.slice(e.pos[0]))![0].trim()}" appears twice in one map`;
    if (/end with a [\]}]/.test(message)) {
      hint = 'A "[" or "{" opened before this line is not closed: close it on the line where it opened, or write the list as "- item" lines.';
    }
    return new ConfigError({
      file,
      line: lp.line,
      column: lp.col,
      keyPath: '',
      message: `YAML syntax error: ${message}${/[.!?]$/.test(message) ? '' : '.'}`,
      hint,
    });
  });
  if (errors.length > 0) return { errors };
  const expansion = aliasExpansionError(doc, lines, file);
  if (expansion) return { errors: [expansion] };
  return { src: { file, dir: dirname(file), doc, lines }, errors };
}

/** yaml's own limit on alias expansion (its default maxAliasCount): what toJS() enforces later. */
const MAX_ALIAS_COUNT = 100;

/**
 * Aliases (*name) that expand to more than yaml allows — a "billion laughs" file — make toJS()
 * throw a ReferenceError. Found here, as a ConfigError at the first alias, before anything uses it.
 */
function aliasExpansionError(doc: Document, lines: LineCounter, file: string): ConfigError | undefined {
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return undefined;
  } catch (err) {
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const lp = lines.linePos(offset);
    const excessive = /alias/i.test((err as Error).message);
    return new ConfigError({
      file,
      line: lp.line,
      column: lp.col,
      keyPath: '',
      message: excessive
        ? `the YAML aliases (*name) expand to too many values (more than ${MAX_ALIAS_COUNT} per alias: a "billion laughs" file).`
        : `the YAML cannot be read as data: ${(err as Error).message.replace(/\.$/, '')}.`,
      hint: excessive ? 'Write the values out instead of nesting aliases of aliases; a machine file needs only a few.' : 'Fix the YAML at this position.',
    });
  }
}

/** A source made from a plain object (overrides): values have no line numbers. */
export function objectSource(label: string, dir: string, value: unknown): Source {
  return { file: label, dir, doc: new Document(value) };
}

interface Found {
  /** The value node at the deepest segment found. */
  node: Node | null | undefined;
  /** The key node of the deepest map entry found. */
  key: Node | null | undefined;
  /** Number of path segments found. */
  depth: number;
}

function walk(doc: Document, path: KeyPath): Found {
  let node = doc.contents as Node | null | undefined;
  let key: Node | null | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc) as Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      key = pair.key as Node;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg] as Node;
      key = undefined;
    } else {
      break;
    }
    depth++;
  }
  return { node, key, depth };
}

/** The value at `path` in the parsed document (undefined when absent). */
export function valueAt(src: Source, path: KeyPath): unknown {
  return src.doc.getIn(path as unknown[]);
}

/**
 * Position of the value (or its key) at `path`. When the path is not all there (a missing key),
 * the position of the deepest part that is: the parent's key, else the start of the file.
 */
export function posAt(src: Source, path: KeyPath, prefer: 'key' | 'value' = 'value'): SourcePos {
  const { node, key, depth } = walk(src.doc, path);
  const complete = depth === path.length;
  const nodeStart = node?.range && !(isScalar(node) && node.source === '') ? node.range[0] : undefined;
  const keyStart = key?.range?.[0];
  let offset: number | undefined;
  // A block map or list as a value: point at its key ("options:"), not at its first entry.
  const block = (isMap(node) || isSeq(node)) && !node.flow;
  if (complete && prefer === 'value') offset = block ? (keyStart ?? nodeStart) : (nodeStart ?? keyStart);
  else if (depth === 0) offset = complete ? nodeStart : undefined;
  else offset = keyStart ?? nodeStart;
  if (offset === undefined || !src.lines) {
    if (!src.lines) return { file: src.file, line: 0, column: 0 };
    const start = (src.doc.contents as Node | null)?.range?.[0] ?? 0;
    const lp = src.lines.linePos(start);
    return { file: src.file, line: lp.line, column: lp.col };
  }
  const lp = src.lines.linePos(offset);
  return { file: src.file, line: lp.line, column: lp.col };
}

/** A ConfigError at `at` (its value, or its key with prefer: 'key'). */
export function errorAt(
  at: At,
  message: string,
  hint?: string,
  prefer: 'key' | 'value' = 'value',
  keyPath: KeyPath = at.path,
): ConfigError {
  const pos = posAt(at.src, at.path, prefer);
  return new ConfigError({ ...pos, keyPath: formatKeyPath(keyPath), message, hint });
}
