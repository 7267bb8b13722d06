// The software TLB: a direct-mapped cache of 4 KiB translations in typed arrays (a Map was measured
// 3–5× slower). Set = low bits of the 4 KiB virtual page number (VPN); the tag is the full VPN of the
// 48-bit canonical address (the upper half lives at [2^47, 2^48), so halves never alias). A huge
// page is cached one 4 KiB piece at a time, each remembering the size of the page it came from so
// that `invlpg` anywhere inside the huge page drops every piece.
//
// Entries go only when `invalidatePage` (INVLPG), `flush` (a CR3 write) or a conflicting fill
// evicts them: page-table edits in memory are not seen until then, as on hardware.
//
// In front of it, one "last translation" per access kind (read, write, fetch): the page the MMU
// last translated for that kind and its frame, so a run of accesses to one page skips the set
// lookup. They only mirror TLB entries: every fill, drop, invlpg and flush forgets them.

/** Cached effective rights of a translation (AND of W and U across levels, OR of NX). */
export const T_WRITABLE = 1 << 0;
export const T_USER = 1 << 1;
export const T_NX = 1 << 2;
/** The final entry's Dirty bit is known to be set: writes need no walk. */
export const T_DIRTY = 1 << 3;
/** The translation came from a 2 MiB / 1 GiB page. */
export const T_HUGE_2M = 1 << 4;
export const T_HUGE_1G = 1 << 5;

const EMPTY = -1; // no VPN is negative
/** A last-translation page base no address lies within 4 KiB above. */
const NO_PAGE = -Infinity;

export class Tlb {
  /** VPN cached in each set, or -1. */
  readonly tag: Float64Array;
  /** Physical address of the cached 4 KiB frame (for a huge page: the 4 KiB piece). */
  readonly frame: Float64Array;
  /** T_* bits. */
  readonly perm: Uint8Array;
  readonly mask: number;
  // The last translation of each access kind: the page's base as the address was given (upper-half
  // addresses unfolded) and its 4 KiB frame. Plain fields: the MMU's hit path reads one kind's pair.
  readPage = NO_PAGE;
  readFrame = 0;
  writePage = NO_PAGE;
  writeFrame = 0;
  fetchPage = NO_PAGE;
  fetchFrame = 0;
  /** True while some set may hold a piece of a huge page (invlpg must then scan). */
  private hugeCached = false;

  constructor(readonly sets = 4096) {
    if (!Number.isInteger(Math.log2(sets)) || sets < 1 || sets > 1 << 20) throw new RangeError(`TLB sets must be a power of two, got ${sets}`);
    this.tag = new Float64Array(sets).fill(EMPTY);
    this.frame = new Float64Array(sets);
    this.perm = new Uint8Array(sets);
    this.mask = sets - 1;
  }

  fill(vpn: number, frame: number, perm: number): void {
    this.forgetLast(); // the set's previous entry may be one of them
    const set = vpn & this.mask;
    this.tag[set] = vpn;
    this.frame[set] = frame;
    this.perm[set] = perm;
    if ((perm & (T_HUGE_2M | T_HUGE_1G)) !== 0) this.hugeCached = true;
  }

  /** Drop one set's entry (after a page fault on it, as the SDM says a #PF does). */
  drop(vpn: number): void {
    this.forgetLast();
    const set = vpn & this.mask;
    if (this.tag[set] === vpn) this.tag[set] = EMPTY;
  }

  /** INVLPG: drop the translation of the page containing `vpn`, whatever that page's size. */
  invalidatePage(vpn: number): void {
    this.drop(vpn);
    if (!this.hugeCached) return;
    const region2m = Math.floor(vpn / 512);
    const region1g = Math.floor(vpn / 262144);
    const tag = this.tag;
    const perm = this.perm;
    for (let set = 0; set < tag.length; set++) {
      const t = tag[set];
      if (t === EMPTY) continue;
      const p = perm[set];
      if (((p & T_HUGE_2M) !== 0 && Math.floor(t / 512) === region2m) || ((p & T_HUGE_1G) !== 0 && Math.floor(t / 262144) === region1g)) {
        tag[set] = EMPTY;
      }
    }
  }

  /**
   * A CR3 write. Hardware keeps GLOBAL translations when CR4.PGE is set; this TLB drops everything,
   * which is always allowed (a TLB may forget at any time) and only costs walks.
   */
  flush(): void {
    this.tag.fill(EMPTY);
    this.hugeCached = false;
    this.forgetLast();
  }

  /** Remember the translation just used for access kind `kind` (0 read, 1 write, 2 fetch; its page must be in the TLB). */
  remember(kind: number, page: number, frame: number): void {
    if (kind === 0) {
      this.readPage = page;
      this.readFrame = frame;
    } else if (kind === 1) {
      this.writePage = page;
      this.writeFrame = frame;
    } else {
      this.fetchPage = page;
      this.fetchFrame = frame;
    }
  }

  forgetLast(): void {
    this.readPage = NO_PAGE;
    this.writePage = NO_PAGE;
    this.fetchPage = NO_PAGE;
  }

  /** Number of valid entries (tests, diagnostics). */
  size(): number {
    let n = 0;
    for (let set = 0; set < this.tag.length; set++) if (this.tag[set] !== EMPTY) n++;
    return n;
  }
}
