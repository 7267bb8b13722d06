// The 8254's input clock (CLK0..CLK2, one 1.193182 MHz crystal divider on a PC) as a grid of
// numbered edges in machine time, and the BCD arithmetic of the counting element.
//
// Edge k happens at the first nanosecond t with floor(t * 1193182 / 1e9) >= k, so edge numbers are
// a pure function of machine time: no ticking, no drift, identical after snapshot/restore.
// Every product below stays under 2^53 (the remainder part is < 1e9 * 1193182 ≈ 1.2e15), and the
// divisions are exact enough that floor/ceil never land on the wrong integer (the distance to the
// nearest integer is at least 1/1e9 resp. 1/1193182, far above the rounding error).

/** PIT input clock in Hz (QEMU's PIT_FREQ; 14.31818 MHz / 12). */
export const PIT_HZ = 1_193_182;
const NS_PER_S = 1_000_000_000;

/** Number of the last clock edge at or before machine time `t` (ns). */
export function tickAt(t: number): number {
  const ns = Math.floor(t);
  const s = Math.floor(ns / NS_PER_S);
  const r = ns - s * NS_PER_S;
  return s * PIT_HZ + Math.floor((r * PIT_HZ) / NS_PER_S);
}

/** Machine time (ns) of clock edge `tick`: the first t with tickAt(t) === tick. */
export function timeOfTick(tick: number): number {
  const s = Math.floor(tick / PIT_HZ);
  const r = tick - s * PIT_HZ;
  return s * NS_PER_S + Math.ceil((r * NS_PER_S) / PIT_HZ);
}

/** Counting range: binary counters wrap at 2^16, BCD counters at 10^4 (0 loads the full range). */
export function modulusOf(bcd: boolean): number {
  return bcd ? 10_000 : 0x1_0000;
}

/** Four BCD digits (0x0000..0x9999) to their decimal value; `ok` is false if a digit is A..F. */
export function fromBcd(raw: number): { value: number; ok: boolean } {
  let value = 0;
  let ok = true;
  for (let shift = 12; shift >= 0; shift -= 4) {
    const digit = (raw >> shift) & 0xf;
    if (digit > 9) ok = false;
    value = value * 10 + digit;
  }
  return { value, ok };
}

/** Decimal 0..9999 to four BCD digits. */
export function toBcd(value: number): number {
  let raw = 0;
  for (let shift = 0, v = value; shift < 16; shift += 4, v = Math.floor(v / 10)) raw |= (v % 10) << shift;
  return raw;
}

/**
 * The 16 bits a read returns for a counting-element value 0..modulus (the full count, 65536 or
 * 10000, reads as 0 like on the chip).
 */
export function encodeCount(value: number, bcd: boolean): number {
  return bcd ? toBcd(value % 10_000) : value & 0xffff;
}

/** The count a write of `raw` loads: 1..modulus, 0 meaning the full range (QEMU: 0 → 0x10000). */
export function decodeCount(raw: number, bcd: boolean): { count: number; ok: boolean } {
  if (!bcd) return { count: raw === 0 ? 0x1_0000 : raw, ok: true };
  const { value, ok } = fromBcd(raw);
  // Invalid digits (A..F) are a guest error; the sum is folded into range so counting goes on.
  const count = value % 10_000;
  return { count: count === 0 ? 10_000 : count, ok };
}
