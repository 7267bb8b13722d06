// The qtest protocol's words: numbers (strtoul base 0, as QEMU parses them), hex and base64 data,
// and the reply formats. A malformed command is a QtestFail, which the driver answers with
// `FAIL reason` on one line; nothing a client sends can crash the driver.

/** A command the driver refuses; its message becomes the `FAIL` line. */
export class QtestFail extends Error {}

/** Most bytes one read/write/memset moves (the reply is one line). */
export const MAX_TRANSFER = 1 << 24;
/**
 * Longest command line: room for the longest valid one, `write` with MAX_TRANSFER bytes in hex.
 * (QEMU sets no limit; one is needed so that a line without an end cannot fill the memory.)
 */
export const MAX_LINE = 2 * MAX_TRANSFER + 1024;
/** Longest number: 64 bits in octal is 23 characters; this leaves room for leading zeros. */
const MAX_NUMBER_CHARS = 64;

/** Arguments of every command ("[NS]": optional). Also the list `FAIL unknown command` offers. */
export const COMMANDS: Readonly<Record<string, string>> = {
  outb: 'ADDR VALUE', outw: 'ADDR VALUE', outl: 'ADDR VALUE',
  inb: 'ADDR', inw: 'ADDR', inl: 'ADDR',
  writeb: 'ADDR VALUE', writew: 'ADDR VALUE', writel: 'ADDR VALUE', writeq: 'ADDR VALUE',
  readb: 'ADDR', readw: 'ADDR', readl: 'ADDR', readq: 'ADDR',
  read: 'ADDR SIZE', write: 'ADDR SIZE DATA', b64read: 'ADDR SIZE', b64write: 'ADDR SIZE B64_DATA', memset: 'ADDR SIZE VALUE',
  clock_step: '[NS]', clock_set: 'NS',
  irq_intercept_in: 'DEVICE', irq_intercept_out: 'DEVICE', set_irq_in: 'DEVICE PIN LEVEL',
  endianness: '',
};

/** Per command: its argument words, and how many of them are required (not "[...]"). */
const ARITY = new Map(Object.entries(COMMANDS).map(([name, usage]) => {
  const spec = usage.split(' ').filter(Boolean);
  return [name, { spec, required: spec.filter((w) => !w.startsWith('[')).length }];
}));

/** Check the argument count against COMMANDS. */
export function checkArity(command: string, args: readonly string[]): void {
  const { spec, required } = ARITY.get(command)!;
  if (args.length < required || args.length > spec.length) {
    const usage = spec.length ? `${command} ${spec.join(' ')}` : `${command} (no arguments)`;
    throw new QtestFail(`${command} takes ${spec.length === 0 ? 'no arguments' : spec.join(' ')}, got ${args.length} argument${args.length === 1 ? '' : 's'}: write "${usage}"`);
  }
}

/** A non-negative integer: 0x1f (hex), 31 (decimal) or 037 (octal), as C's strtoul with base 0. */
export function parseNumber(text: string, what: string): bigint {
  if (text.length > MAX_NUMBER_CHARS) throw new QtestFail(`${what} "${shorten(text)}" (${text.length} characters) is too long for a number: at most ${MAX_NUMBER_CHARS}`);
  if (/^0x[0-9a-f]+$/i.test(text)) return BigInt(text);
  if (/^0[0-7]+$/.test(text)) return BigInt('0o' + text.slice(1));
  if (/^(0|[1-9][0-9]*)$/.test(text)) return BigInt(text);
  throw new QtestFail(`${what} "${shorten(text)}" is not a number: write it in hex (0x20), decimal (32) or octal (040)`);
}

/** A number no larger than `max` (at most 2^53 - 1: it becomes a JS number). */
export function parseBounded(text: string, what: string, max: number, range: string): number {
  const v = parseNumber(text, what);
  if (v > BigInt(max)) throw new QtestFail(`${what} ${text} is out of range: ${range}`);
  return Number(v);
}

/** A value for an access `bytes` wide (bigint: writeq takes 64 bits). */
export function parseValue(text: string, bytes: number): bigint {
  const v = parseNumber(text, 'VALUE');
  if (v >= 1n << BigInt(8 * bytes)) throw new QtestFail(`VALUE ${text} does not fit in ${bytes === 1 ? 'a byte' : `${bytes} bytes`}`);
  return v;
}

/** `0x` + the value in hex, zero-padded to the access width (libqtest parses any width). */
export function hexValue(v: number | bigint, bytes: number): string {
  return '0x' + v.toString(16).padStart(bytes * 2, '0');
}

/** `write` DATA: 0x + pairs of hex digits, at most `size` bytes; the rest is zero-filled (QEMU). */
export function parseHexData(text: string, size: number): Uint8Array {
  if (!/^0x[0-9a-f]*$/i.test(text) || text.length % 2 !== 0) throw new QtestFail(`DATA "${shorten(text)}" is not 0x followed by pairs of hex digits (one pair per byte)`);
  const digits = text.slice(2);
  if (digits.length / 2 > size) throw new QtestFail(`DATA holds ${digits.length / 2} bytes, more than SIZE ${size}`);
  const out = new Uint8Array(size);
  out.set(Buffer.from(digits, 'hex'));
  return out;
}

/** `b64write` data: standard base64, at most `size` bytes once decoded; the rest is zero-filled. */
export function parseBase64Data(text: string, size: number): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new QtestFail(`B64_DATA "${shorten(text)}" is not base64`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > size) throw new QtestFail(`B64_DATA holds ${bytes.length} bytes, more than SIZE ${size}`);
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

export function hexBytes(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes).toString('hex');
}

/** User text quoted in a FAIL line: at most 40 characters of it, so a reply stays short. */
export function shorten(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}
