// Priority resolution of the 8259A. Priorities rotate: `priorityAdd` is the IR that currently
// has the highest priority (rank 0); the IR just below it in the ring, (priorityAdd + 7) & 7,
// is the datasheet's "lowest priority" level. After reset priorityAdd = 0: IR0 > IR1 > ... > IR7.

/** Number of ranks; also the "no bit set" answer of highestRank(). */
export const NO_RANK = 8;

/** Rank (0 = highest priority) of the highest-priority bit set in `mask`, or NO_RANK. */
export function highestRank(mask: number, priorityAdd: number): number {
  for (let rank = 0; rank < NO_RANK; rank++) {
    if (mask & (1 << ((rank + priorityAdd) & 7))) return rank;
  }
  return NO_RANK;
}

/** The IR that holds `rank` under the given rotation. */
export function irAtRank(rank: number, priorityAdd: number): number {
  return (rank + priorityAdd) & 7;
}

/** The priorityAdd that makes `ir` the lowest priority (OCW2 set priority / rotate). */
export function lowestPriorityIs(ir: number): number {
  return (ir + 1) & 7;
}
