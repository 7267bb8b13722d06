// How the device shell describes what a device core threw or handed it, for guest_error and
// actor.crash records: short, and safe for values whose own conversion throws.

const clip = (s: string): string => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

/** What a core threw, for messages: an Error's message (with its name unless plain Error), else the value described. */
export function thrownText(err: unknown): string {
  try {
    if (err instanceof Error) return clip(err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : String(err.message));
  } catch {
    // an Error whose name or message getter throws: described below
  }
  return `threw ${valueText(err)} instead of an Error`;
}

/** The `error` field of actor.crash records: "Name: message" for an Error. */
export function errorField(err: unknown): string {
  try {
    if (err instanceof Error) return clip(`${err.name}: ${err.message}`);
  } catch {
    // see thrownText
  }
  return thrownText(err);
}

/** A short description of any value, safe for values whose conversion throws. */
export function valueText(v: unknown): string {
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? String(v) : `${v} (not an integer)`;
    case 'bigint': return `${v}n (a BigInt)`;
    case 'string': return `the string ${JSON.stringify(clip(v).slice(0, 40))}`;
    case 'boolean': return String(v);
    case 'undefined': return 'undefined';
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'an array';
      return v instanceof Error ? 'an Error' : 'an object';
  }
}

