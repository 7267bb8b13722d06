// The binary format of a trace ring (SPSC, in a SharedArrayBuffer), shared by its producer
// (trace-writer.ts) and its consumer (trace-ring.ts).

export const HDR_WRITE = 0; // free-running byte counter (mod 2^32) of published bytes
export const HDR_READ = 1; // free-running byte counter of consumed bytes
export const HDR_WAITING = 2; // producer is blocked on a full ring
export const HDR_INTS = 4;
export const HEADER_BYTES = HDR_INTS * 4;

export const REC_DEF = 1; // string definition: u32 id, u32 byteLen, bytes
export const REC_EVENT = 2; // u32 seq, f64 t, ref kind, ref src, u32 nFields, fields (ref key, u8 type, payload)...
export const REC_PAD = 3; // skip to the start of the ring
// A ref is a u32 string id (> 0), or 0 followed by u32 byteLen and the UTF-8 bytes (inline).

export const F_NUM = 1; // f64
export const F_STR = 2; // ref
export const F_TRUE = 3;
export const F_FALSE = 4;
export const F_NULL = 5;

/** Strings interned per ring (pinned names come on top: they are a fixed set, not data). */
export const INTERN_LIMIT = 4096;
/** Longer strings are always written inline. */
export const INTERN_MAX_CHARS = 128;
/** Bytes of an event's header when kind and src are ids; typed emitters add their fields. */
export const EVENT_HEADER_BYTES = 28;
export const NUM_FIELD_BYTES = 13;
export const STR_FIELD_BYTES = 9;

export function allocateRing(capacityBytes = 1 << 20): SharedArrayBuffer {
  if (capacityBytes & (capacityBytes - 1)) throw new Error('ring capacity must be a power of two');
  return new SharedArrayBuffer(HEADER_BYTES + capacityBytes);
}
