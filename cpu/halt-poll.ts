// Adaptive halt polling, with the rule KVM uses for a vCPU's halt_poll_ns
// (Documentation/virt/kvm/halt-polling.rst, virt/kvm/kvm_main.c): before a halted CPU sleeps it
// polls its wake word for a per-CPU window, and the window is tuned by how long each halt lasted:
//
//   - woken within the window (the poll caught it): the window is right, keep it;
//   - woken after the window but within the cap: a longer poll would have caught it: grow
//     (×2, at least the grow-start value);
//   - the halt lasted longer than the cap (woken late, or the CPU's own timeout past the cap):
//     no poll allowed could have caught it: shrink (÷2, to 0 below the grow-start value).
//
// The window never leaves [0, cap], so a halted CPU never polls longer than the cap before it
// sleeps. Pure: outcomes in, a window out (no clock, no host).

export interface HaltPollLimits {
  /** The cap (KVM's module parameter halt_poll_ns; 200 µs is its x86 default). */
  readonly maxNs: number;
  /** Where a window grows from 0 (halt_poll_ns_grow_start, 10 µs). */
  readonly growStartNs: number;
  /** Multiplier on growth (halt_poll_ns_grow, 2). */
  readonly grow: number;
  /** Divisor on shrinking (halt_poll_ns_shrink, 2). */
  readonly shrink: number;
}

export const HALT_POLL_DEFAULTS: HaltPollLimits = { maxNs: 200_000, growStartNs: 10_000, grow: 2, shrink: 2 };

export class HaltPollWindow {
  /** How long the next halt polls before it sleeps (ns). Starts at 0, as a vCPU's does. */
  ns = 0;

  constructor(readonly limits: HaltPollLimits = HALT_POLL_DEFAULTS) {
    if (!(limits.maxNs >= 0 && limits.growStartNs > 0 && limits.grow >= 1 && limits.shrink >= 1)) {
      throw new RangeError(`halt-poll limits out of range: ${JSON.stringify(limits)}`);
    }
  }

  /**
   * One halt is over. `blockNs`: from the halt to its end; `woken`: an event ended it (false:
   * the CPU's own timeout, as it sleeps only until just before its next deadline).
   */
  update(blockNs: number, woken: boolean): void {
    const { maxNs } = this.limits;
    if (woken && blockNs <= this.ns) return; // the poll caught it
    if (blockNs > maxNs) this.shrinkWindow();
    else if (woken) this.growWindow();
    // A timeout within the cap says nothing about wake-ups: keep the window.
  }

  private growWindow(): void {
    const { maxNs, growStartNs, grow } = this.limits;
    this.ns = Math.min(maxNs, Math.max(growStartNs, this.ns * grow));
  }

  private shrinkWindow(): void {
    const next = this.ns / this.limits.shrink;
    this.ns = next < this.limits.growStartNs ? 0 : next;
  }
}
