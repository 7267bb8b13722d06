// --log-filter: which trace records reach the log. Each SPEC is key=value[,value...]; values of
// one key are alternatives, several specs must all match. A parsed filter also carries its tests,
// so the log can evaluate it on a ring's binary record (matchesRecord) without building an object.
import type { TraceRecord } from '../bus/trace.js';
import { TRACE_KINDS } from '../bus/trace.js';
import { F_NUM, F_STR, KEY_LINE, KEY_PORT, KEY_SPECIAL, type TraceRingReader } from '../bus/trace-ring.js';
import { UsageError } from './cli/usage.js';
import { didYouMean } from './config/suggest.js';

/** One spec: a string test on kind, src (actor) or the line field, or a port range test. */
export type FilterTest =
  | { readonly key: 'kind' | 'actor' | 'line'; readonly patterns: readonly RegExp[] }
  | { readonly key: 'port'; readonly ranges: ReadonlyArray<readonly [number, number]> };

export interface TraceFilter {
  (r: TraceRecord): boolean;
  /** Present on parsed filters: every test must pass. */
  readonly tests?: readonly FilterTest[];
}

const KEYS = ['kind', 'actor', 'port', 'line'] as const;

function glob(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

function portRange(text: string, spec: string): [number, number] {
  const m = /^(0x[0-9a-f]+|\d+)(?:-(0x[0-9a-f]+|\d+))?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--log-filter ${spec}: "${text}" is not a port or range; write e.g. port=0x60 or port=0x20-0x21.`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > hi || hi > 0xffff) throw new UsageError(`--log-filter ${spec}: range "${text}" must be low-high within 0..0xffff.`);
  return [lo, hi];
}

export function parseLogFilter(specs: readonly string[]): TraceFilter {
  const tests: FilterTest[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    if (eq < 0 || !(KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`--log-filter ${JSON.stringify(spec)}: expected key=value with key one of ${KEYS.join(', ')}. ${didYouMean(key, KEYS)}For example: --log-filter kind=irq.*,pic.*`);
    }
    const values = spec.slice(eq + 1).split(',').map((v) => v.trim()).filter(Boolean);
    if (!values.length) throw new UsageError(`--log-filter ${spec}: give at least one value after "${key}=".`);
    if (key === 'kind') {
      const patterns = values.map((v) => {
        const re = glob(v);
        // A pattern with a wildcard may name a user device's own kinds (rtc.*); an exact name must be known.
        if (!v.includes('*') && !Object.keys(TRACE_KINDS).some((k) => re.test(k))) {
          throw new UsageError(`--log-filter ${spec}: no trace kind is called "${v}". ${didYouMean(v, Object.keys(TRACE_KINDS))}Use a pattern such as rtc.* for a user device's own kinds. Kinds: ${Object.keys(TRACE_KINDS).join(', ')}.`);
        }
        return re;
      });
      tests.push({ key: 'kind', patterns });
    } else if (key === 'actor' || key === 'line') {
      tests.push({ key, patterns: values.map(glob) });
    } else {
      tests.push({ key: 'port', ranges: values.map((v) => portRange(v, spec)) });
    }
  }
  const matches = (r: TraceRecord): boolean => tests.every((t) => {
    if (t.key === 'port') return typeof r.port === 'number' && inRanges(t.ranges, r.port);
    const value = t.key === 'kind' ? r.kind : t.key === 'actor' ? r.src : r.line;
    return typeof value === 'string' && t.patterns.some((re) => re.test(value));
  });
  return Object.assign(matches, { tests });
}

function inRanges(ranges: ReadonlyArray<readonly [number, number]>, port: number): boolean {
  return ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

/** Bit i of a string's mask: the string matches test i's patterns (cached per string id per ring). */
function maskOf(tests: readonly FilterTest[], s: string): number {
  let mask = 0;
  for (let i = 0; i < tests.length && i < 30; i++) {
    const t = tests[i];
    if (t.key !== 'port' && t.patterns.some((re) => re.test(s))) mask |= 1 << i;
  }
  return mask;
}

/**
 * The filter on the reader's current event, read from its binary record: kind, src and the line
 * field through a per-string-id cache of test results, port as the number. Filters with more than
 * 30 specs, or plain functions without tests, are evaluated on the decoded object.
 */
export function matchesRecord(filter: TraceFilter, rd: TraceRingReader): boolean {
  const tests = filter.tests;
  if (tests === undefined || tests.length > 30) return filter(rd.decode() as TraceRecord);
  if (tests.length === 0) return true;
  if (rd.memoOwner !== tests) {
    rd.memo.length = 0;
    rd.memoOwner = tests;
  }
  const view = rd.view;
  // Walk the record once: kind, src, and where the port and line fields are.
  let p = rd.at + 16;
  const kindMask = stringMask(tests, rd, p);
  p = rd.refEnd(p);
  const srcMask = stringMask(tests, rd, p);
  p = rd.refEnd(p);
  const n = view.getUint32(p, true);
  p += 4;
  let port: number | undefined;
  let lineMask = 0;
  for (let i = 0; i < n; i++) {
    const keyId = view.getUint32(p, true);
    const cls = rd.classOf(keyId, keyId === 0 ? rd.refText(p) : undefined);
    // A field named kind or src overwrites the object's: let the object decide.
    if (cls === KEY_SPECIAL) return filter(rd.decode() as TraceRecord);
    p = rd.refEnd(p);
    const ft = rd.bytes[p++];
    if (ft === F_NUM) {
      if (cls === KEY_PORT) port = view.getFloat64(p, true);
      else if (cls === KEY_LINE) lineMask = 0; // a later non-string line wins, as in the object
      p += 8;
    } else if (ft === F_STR) {
      if (cls === KEY_LINE) lineMask = stringMask(tests, rd, p);
      else if (cls === KEY_PORT) port = undefined;
      p = rd.refEnd(p);
    } else if (cls === KEY_PORT) port = undefined;
    else if (cls === KEY_LINE) lineMask = 0;
  }
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    const bit = 1 << i;
    if (t.key === 'port') {
      if (port === undefined || !inRanges(t.ranges, port)) return false;
    } else if (((t.key === 'kind' ? kindMask : t.key === 'actor' ? srcMask : lineMask) & bit) === 0) return false;
  }
  return true;
}

function stringMask(tests: readonly FilterTest[], rd: TraceRingReader, p: number): number {
  const id = rd.view.getUint32(p, true);
  if (id === 0) return maskOf(tests, rd.refText(p));
  const cached = rd.memo[id];
  if (cached !== undefined) return cached;
  return (rd.memo[id] = maskOf(tests, rd.text(id)));
}
