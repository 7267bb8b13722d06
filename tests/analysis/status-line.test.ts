// The status line shows the coalesced-edge counter (C_COALESCED) in realtime, even at 0; virtual
// time never coalesces and leaves it out.
import { describe, expect, it } from 'vitest';
import { C_COALESCED, ControlBlock } from '../../bus/control.js';
import { statusLine } from '../../machine/ui/status.js';
import type { MachineSpec } from '../../machine/config/spec.js';

const spec = (mode: 'realtime' | 'virtual') => ({ name: 'pc', time: { mode } }) as unknown as Pick<MachineSpec, 'name' | 'time'>;

describe('status line', () => {
  it('shows coalesced edges in realtime (also 0) and not in virtual time', () => {
    const control = ControlBlock.allocate();
    control.vectorCounts[32] = 7;
    expect(statusLine({ control } as never, spec('realtime'))).toContain('ints v32:7 │ coalesced 0 │');
    Atomics.add(control.i32, C_COALESCED, 3);
    expect(statusLine({ control } as never, spec('realtime'))).toContain('coalesced 3');
    expect(statusLine({ control } as never, spec('virtual'))).not.toContain('coalesced');
  });

  it('with guest threads, names the host thread holding the CPU and counts the switches', () => {
    const control = ControlBlock.allocate();
    const threaded = { ...spec('virtual'), cpu: { threads: 4 } };
    expect(statusLine({ control } as never, threaded)).toContain('│ thread 0 · 0 switches │');
    control.switched(2);
    control.switched(3);
    expect(statusLine({ control } as never, threaded)).toContain('│ thread 3 · 2 switches │');
    expect(statusLine({ control } as never, spec('virtual'))).not.toContain('switches');
  });
});
