// --log-filter: which trace records reach the log. Each SPEC is key=value[,value...]; values of
// one key are alternatives, several specs must all match.
import type { TraceRecord } from '../bus/trace.js';
import { TRACE_KINDS } from '../bus/trace.js';
import { UsageError } from './cli/usage.js';
import { didYouMean } from './config/suggest.js';

export type TraceFilter = (r: TraceRecord) => boolean;

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
  const tests: TraceFilter[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    if (eq < 0 || !(KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`--log-filter ${JSON.stringify(spec)}: expected key=value with key one of ${KEYS.join(', ')}. ${didYouMean(key, KEYS)}For example: --log-filter kind=irq.*,pic.*`);
    }
    const values = spec.slice(eq + 1).split(',').map((v) => v.trim()).filter(Boolean);
    if (!values.length) throw new UsageError(`--log-filter ${spec}: give at least one value after "${key}=".`);
    if (key === 'kind') {
      const res = values.map((v) => {
        const re = glob(v);
        // A pattern with a wildcard may name a user device's own kinds (rtc.*); an exact name must be known.
        if (!v.includes('*') && !Object.keys(TRACE_KINDS).some((k) => re.test(k))) {
          throw new UsageError(`--log-filter ${spec}: no trace kind is called "${v}". ${didYouMean(v, Object.keys(TRACE_KINDS))}Use a pattern such as rtc.* for a user device's own kinds. Kinds: ${Object.keys(TRACE_KINDS).join(', ')}.`);
        }
        return re;
      });
      tests.push((r) => res.some((re) => re.test(r.kind)));
    } else if (key === 'actor') {
      const res = values.map(glob);
      tests.push((r) => res.some((re) => re.test(r.src)));
    } else if (key === 'line') {
      const res = values.map(glob);
      tests.push((r) => typeof r.line === 'string' && res.some((re) => re.test(r.line as string)));
    } else {
      const ranges = values.map((v) => portRange(v, spec));
      tests.push((r) => typeof r.port === 'number' && ranges.some(([lo, hi]) => (r.port as number) >= lo && (r.port as number) <= hi));
    }
  }
  return (r) => tests.every((t) => t(r));
}
