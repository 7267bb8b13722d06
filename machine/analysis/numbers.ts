// How numbers read to people (--pretty, --stats text, stderr): ports, vectors, addresses, error
// codes, register values and bytes in hex, as the datasheets and the Intel/AMD manuals write them;
// counts, sizes, durations and IRQ numbers in decimal. The NDJSON keeps plain numbers.

/** Record fields whose numbers are hardware values (shown 0x…). */
export const HEX_FIELDS: ReadonlySet<string> = new Set([
  'port', 'value', 'vector', 'error_code', 'addr', 'cr2', 'cr3', 'rsp', 'base', 'limit',
  'cmd', 'arg', 'byte', 'last', 'first', 'second', 'offset', 'flags', 'rip',
]);

/** 0x-prefixed lower-case hex of an integer (a negative one as -0x…); other numbers as they are. */
export function hex(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/** A field's value as people read it: hex for hardware values, strings bare unless they need quotes. */
export function showValue(key: string, v: unknown): string {
  if (typeof v === 'number') return HEX_FIELDS.has(key) ? hex(v) : String(v);
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? 'undefined';
}

/** Machine ns as a short duration: 838 ns, 12.5 µs, 3.25 ms, 1.5 s. */
export function showNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${round(ns)} ns`;
  if (a < 1e6) return `${round(ns / 1e3)} µs`;
  if (a < 1e9) return `${round(ns / 1e6)} ms`;
  return `${round(ns / 1e9)} s`;
}

function round(x: number): string {
  return String(Number(x.toPrecision(4)));
}
