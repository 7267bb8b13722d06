// A test keyboard controller fused with a tiny interrupt controller, for kernel tests that need
// keyboard IRQs without the real 8042 and 8259 models:
//
//  - port 0x60 (data): the byte in the output buffer; reading it empties the buffer, and the
//    next scripted byte that is due fills it again (as the 8042 holds further bytes until 0x60
//    is read);
//  - ports 0x20/0x21 (the master PIC's): a write of 0x20 to 0x20 is the EOI that ends the
//    in-service interrupt; ICW/OCW traffic from ChainedPics::initialize is accepted and ignored,
//    reads answer 0 (no IRQ masked);
//  - output "int" (wire it to cpu.intr): high while a byte waits and no interrupt is in service;
//    INTA answers `vector` (33, IRQ1 after the blog's remap) and puts the interrupt in service.
//
// Bytes come from `script`: [{ at: machine ns, byte }] in time order.
import { defineDevice, type DeviceCore } from '../../bus/device.js';
import type { RigDevice } from './bus-rig.js';

export interface ScriptedByte {
  at: number;
  byte: number;
}

export interface TestKbcOptions {
  script: ScriptedByte[];
  vector?: number;
}

export interface TestKbcStats {
  /** Bytes the guest read from 0x60, in order. */
  read: number[];
  /** INTA cycles answered. */
  acks: number;
  /** EOIs received. */
  eois: number;
}

const EOI = 0x20;

export const testKbc = defineDevice<TestKbcOptions & { stats?: TestKbcStats }>({
  kind: 'test-kbc',
  title: 'test keyboard controller + interrupt controller (IRQ1 → one vector)',
  regions: [
    { name: 'data', size: 1, base: 0x60 },
    { name: 'pic', size: 2, base: 0x20 },
  ],
  outputs: ['int'],
  create(ctx, options): DeviceCore {
    const pending = [...options.script].sort((a, b) => a.at - b.at);
    const vector = options.vector ?? 33;
    const stats = options.stats ?? { read: [], acks: 0, eois: 0 };
    let buffer: number | undefined;
    let last = 0;
    let inService = false;
    const fill = () => {
      if (buffer === undefined && pending.length > 0 && pending[0].at <= ctx.now()) buffer = pending.shift()!.byte & 0xff;
    };
    const update = () => ctx.setOutput(0, buffer !== undefined && !inService ? 1 : 0);
    return {
      read(region, offset) {
        if (region !== 0) return 0;
        if (buffer !== undefined) last = buffer;
        buffer = undefined;
        stats.read.push(last);
        fill();
        update();
        return last;
      },
      write(region, offset, _size, value) {
        if (region === 1 && offset === 0 && value === EOI) {
          stats.eois++;
          inService = false;
          update();
        }
      },
      advance() {
        fill();
        update();
      },
      nextDeadline: () => (buffer === undefined && pending.length > 0 ? pending[0].at : Infinity),
      acknowledge() {
        stats.acks++;
        inService = true;
        update();
        return vector;
      },
      snapshot: () => ({ version: 1, buffer, inService, pending: pending.length }),
      restore() {},
    };
  },
});

/** The rig device and wire for `script`; `stats` fills in as the guest runs. */
export function kbcDevice(script: ScriptedByte[], stats: TestKbcStats = { read: [], acks: 0, eois: 0 }): { devices: RigDevice[]; wires: string[]; stats: TestKbcStats } {
  return {
    devices: [{ name: 'kbc', module: testKbc, options: { script, stats } }],
    wires: ['kbc.int -> cpu.intr'],
    stats,
  };
}

/** A key's make and break bytes, `gap` ns apart, starting at `at`. */
export function keystroke(at: number, make: number, gap = 1000): ScriptedByte[] {
  return [{ at, byte: make }, { at: at + gap, byte: make | 0x80 }];
}
