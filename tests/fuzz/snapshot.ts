// Snapshots are JSON (bus/device.ts: "JSON-able state"): what "the same snapshot" means, and a
// check that a snapshot survives JSON unchanged.

/** Where in `value` something JSON cannot carry sits ("$.screen.cells[3]: NaN"), or null. */
export function nonJson(value: unknown, path = '$'): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path}: ${value}`;
    case 'undefined':
      return null; // an absent field; JSON drops it
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          if (typeof v === 'number' && Number.isFinite(v)) continue;
          if (v === undefined) return `${path}[${i}]: undefined`;
          const bad = nonJson(v, `${path}[${i}]`);
          if (bad) return bad;
        }
        return null;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return `${path}: a ${proto?.constructor?.name ?? 'non-plain'} object`;
      for (const [k, v] of Object.entries(value)) {
        const bad = nonJson(v, `${path}.${k}`);
        if (bad) return bad;
      }
      return null;
    }
    default:
      return `${path}: a ${typeof value}`;
  }
}

/** JSON with object keys sorted: equal strings ⇔ equal snapshots, whatever order fields were built in. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    // Arrays of plain values (registers, RAM, screen cells) go to JSON in one native call.
    if (value.every((v) => v === null || (typeof v !== 'object' && v !== undefined))) return JSON.stringify(value);
    return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] !== undefined) fields.push(`${JSON.stringify(k)}:${canonical(obj[k])}`);
  }
  return `{${fields.join(',')}}`;
}

/** The first place two canonical JSON strings differ, with some context, for a report. */
export function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 60);
  return `…${a.slice(from, i + 40)}… vs …${b.slice(from, i + 40)}…`;
}
