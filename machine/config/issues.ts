// zod issues → ConfigErrors located in the YAML. Used for the machine file schema and for device
// modules' own `options` schemas (whose issue paths are relative to the `options:` node).
import { ConfigError } from './errors.js';
import type { KeyPath } from './errors.js';
import { z } from 'zod';
import { objectKeysAt, schemaAt } from './schema.js';
import { errorAt } from './source.js';
import type { At } from './source.js';
import { didYouMean } from './suggest.js';

/** The fields of a zod 4 issue we read (kept loose: module schemas may come from another copy of zod). */
export interface Issue {
  readonly code?: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly input?: unknown;
  readonly expected?: string;
  readonly values?: readonly unknown[];
  readonly keys?: readonly string[];
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly origin?: string;
  readonly divisor?: number;
  readonly format?: string;
  readonly params?: Record<string, unknown>;
}

/** Message the parse-level error map gives zod's own issues, so that authors' messages stand out. */
export const ZOD_DEFAULT_MESSAGE = '\u0000default';
/** safeParse params: report inputs (for "got ..."), mark default messages. */
export const zodParseParams = { reportInput: true, error: () => ZOD_DEFAULT_MESSAGE };

/** "the string \"abc\"", "the number 3", "nothing (null)". */
export function describeValue(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string "${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return `the ${typeof v} ${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return typeof v;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a map (key: value lines)',
  record: 'a map (key: value lines)',
  array: 'a list ("- item" lines)',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function typeHint(expected: string | undefined, input: unknown, keyName: string): string | undefined {
  if (expected === 'boolean' && typeof input === 'string') {
    const yes = /^(y|yes|on|true)$/i.test(input);
    return `Write ${keyName}: ${yes ? 'true' : 'false'} (YAML 1.2 reads "${input}" as a string; booleans are true and false).`;
  }
  if ((expected === 'object' || expected === 'record') && input === null) return `Write ${keyName}: {} or remove the line.`;
  if (expected === 'number' && typeof input === 'string' && input.trim() !== '' && !Number.isNaN(Number(input))) {
    return `Remove the quotes: ${keyName}: ${input.trim()}.`;
  }
  if (expected === 'array' && typeof input === 'string') return `Write it as a list: "- ${input}" on the next line, indented.`;
  return undefined;
}

/** `examples` from the .meta() of the schema at `path`, if any. */
function examplesAt(schema: unknown, path: readonly PropertyKey[]): string[] | undefined {
  const at = schemaAt(schema, path) as z.ZodType | undefined;
  const examples = at ? (z.globalRegistry.get(at) as { examples?: unknown[] } | undefined)?.examples : undefined;
  return Array.isArray(examples) && examples.length > 0 ? examples.map(String) : undefined;
}

const num = (n: number | bigint | undefined): string =>
  typeof n === 'number' && Number.isInteger(n) && n >= 256 ? `${n} (0x${n.toString(16)})` : String(n);

/** Message and hint of one issue, without position. `schema` is the schema the path is relative to. */
export function describeIssue(issue: Issue, schema?: unknown): { message: string; hint?: string } {
  const text = byCode(issue, schema);
  const own = issue.message !== ZOD_DEFAULT_MESSAGE && issue.message !== '';
  if (own && !['custom', 'invalid_union', 'unrecognized_keys', 'invalid_key', undefined].includes(issue.code)) {
    // A schema author's own message (e.g. a module's options schema): show it, keep our hint.
    const got = issue.input !== undefined ? ` (got ${describeValue(issue.input)})` : '';
    return { message: `${issue.message.replace(/\.$/, '')}${got}.`, hint: text.hint };
  }
  return text;
}

function byCode(issue: Issue, schema: unknown): { message: string; hint?: string } {
  const keyName = String(issue.path[issue.path.length - 1] ?? 'value');
  const hintParam = typeof issue.params?.hint === 'string' ? issue.params.hint : undefined;
  switch (issue.code) {
    case 'invalid_type': {
      const received = (issue as { received?: string }).received; // zod 3 modules report `received`
      if (issue.input === undefined && (received === undefined || received === 'undefined')) {
        return { message: `missing: this key is required.`, hint: hintParam ?? `Add a line "${keyName}: <value>".` };
      }
      const expected = TYPE_NAMES[issue.expected ?? ''] ?? issue.expected ?? 'another type';
      return {
        message: `expected ${expected}, got ${describeValue(issue.input)}.`,
        hint: hintParam ?? typeHint(issue.expected, issue.input, keyName) ?? `Give ${keyName} ${expected}.`,
      };
    }
    case 'invalid_value': {
      const allowed = (issue.values ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      const input = typeof issue.input === 'string' ? `"${issue.input}"` : describeValue(issue.input);
      const mean = typeof issue.input === 'string' ? didYouMean(issue.input, allowed) : '';
      return { message: `${input} is not allowed here.`, hint: `${mean}Allowed: ${allowed.join(', ')}.` };
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      if (issue.origin === 'string' && small && Number(bound) <= 1) {
        return { message: `must not be empty.`, hint: hintParam ?? 'Write a value or remove the key.' };
      }
      const what = issue.origin === 'array' || issue.origin === 'set' ? 'items' : issue.origin === 'string' ? 'characters' : '';
      const op = small ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
      const got = typeof issue.input === 'number' ? `, got ${num(issue.input)}` : '';
      const positive = small && Number(bound) === 0 && !issue.inclusive;
      return {
        message: `must be ${op} ${num(bound)}${what ? ' ' + what : ''}${got}.`,
        hint: hintParam ?? (positive ? 'Use a positive number, e.g. 1.' : `Use a value ${op} ${num(bound)}.`),
      };
    }
    case 'not_multiple_of':
      return { message: `must be a multiple of ${issue.divisor}, got ${describeValue(issue.input)}.`, hint: hintParam };
    case 'invalid_format':
      // A schema's own message is the better hint; zod's default text is not (and is shown by describeIssue otherwise).
      return {
        message: `${describeValue(issue.input)} does not have the expected form (${issue.format}).`,
        hint: hintParam ?? (issue.message && issue.message !== ZOD_DEFAULT_MESSAGE ? undefined : `Write it in the ${issue.format} form.`),
      };
    case 'invalid_union': {
      const m = issue.message === ZOD_DEFAULT_MESSAGE ? 'does not match any accepted form' : issue.message;
      const examples = examplesAt(schema, issue.path);
      const hint = hintParam ?? (examples ? `For example: ${keyName}: ${examples.join(' or ')}.` : undefined);
      return { message: `${m}; got ${describeValue(issue.input)}.`, hint };
    }
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(schema, issue.path)?.keys ?? [];
      const key = issue.keys?.[0] ?? '';
      return {
        message: `unknown key "${key}".`,
        hint: `${didYouMean(key, allowed)}${allowed.length ? `Allowed keys here: ${allowed.join(', ')}.` : 'Remove it.'}`,
      };
    }
    default: {
      const m = issue.message === ZOD_DEFAULT_MESSAGE || issue.message === '' ? `invalid value: ${describeValue(issue.input)}` : issue.message;
      return { message: /[.!?]$/.test(m) ? m : `${m}.`, hint: hintParam };
    }
  }
}

/**
 * ConfigErrors for zod issues. `at` is where the validated value was written (e.g. the device's
 * `options` node), issue paths are relative to it. `schema` is used to list allowed keys.
 */
export function issuesToErrors(at: At, issues: readonly Issue[], schema?: unknown): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const issue of issues) {
    const path: KeyPath = [...at.path, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys ?? []) {
        const { message, hint } = describeIssue({ ...issue, keys: [key] }, schema);
        errors.push(errorAt({ src: at.src, path: [...path, key] }, message, hint, 'key'));
      }
    } else if (issue.code === 'invalid_key' && at.path.length === 0 && path[0] === 'devices') {
      const { message, hint } = instanceNameProblem(String(path[1]));
      errors.push(errorAt({ src: at.src, path }, message, hint, 'key'));
    } else if (issue.code === 'invalid_key') {
      errors.push(errorAt({ src: at.src, path }, `the key "${String(path[path.length - 1])}" is not allowed here.`, issue.message, 'key'));
    } else {
      const { message, hint } = describeIssue(issue, schema);
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      errors.push(errorAt({ src: at.src, path }, message, hint, missing ? 'key' : 'value'));
    }
  }
  return errors;
}

/** Why a device instance name is refused, and a name that would do. */
export function instanceNameProblem(name: string): { message: string; hint: string } {
  const rule = 'Instance names start with a lowercase letter and contain only a-z, 0-9, _ and -';
  if (name === 'cpu') {
    return { message: `"cpu" is reserved: it names the processor in wires (cpu.intr).`, hint: `Choose another name, e.g. "cpu2". ${rule}.` };
  }
  const fixed = name.toLowerCase().replace(/[^a-z0-9_-]/g, '_').replace(/^[^a-z]+/, '');
  const suggestion = fixed && fixed !== 'cpu' ? ` Write "${fixed}".` : '';
  return { message: `"${name}" is not a valid instance name.`, hint: `${rule}.${suggestion}` };
}
