// POST's keyboard set-up (firmware/bios.ts ps2KeyboardSetup) run on a CPU in the test's thread
// against the real 8042 model: stray bytes, a keyboard asking for a byte again, no controller.
import { describe, expect, it } from 'vitest';
import { defineDevice, type DeviceCore, type DeviceModule } from '../../bus/device.js';
import { i8042 } from '../../devices/i8042/module.js';
import type { I8042Snapshot } from '../../devices/i8042/state.js';
import { ps2KeyboardSetup } from '../../firmware/bios.js';
import { guestRig } from '../support/guest.js';

const DATA = 0;
const RESEND = 0xfe;
const OBF = 0x01;

interface Line {
  /** Bytes the firmware wrote to port 0x60. */
  readonly sent: number[];
  core?: DeviceCore;
}

/**
 * The 8042 with a keyboard that answers RESEND (0xFE, as after a parity error) instead of
 * taking `byte` the first `times` times it is sent; the byte is then not passed on.
 */
function resending(byte: number, times: number, line: Line): DeviceModule {
  return defineDevice({
    ...i8042,
    kind: 'i8042-resending',
    create: (ctx) => {
      const core = i8042.create(ctx, {});
      line.core = core;
      let left = times;
      let injected: number | null = null;
      return {
        read: (region, offset, size) => {
          if (injected === null) return core.read(region, offset, size);
          if (region !== DATA) return core.read(region, offset, size) | OBF;
          const b = injected;
          injected = null;
          return b;
        },
        write: (region, offset, size, value) => {
          if (region === DATA) line.sent.push(value);
          if (region === DATA && value === byte && left > 0) {
            left--;
            injected = RESEND;
            return;
          }
          core.write(region, offset, size, value);
        },
        input: (e) => core.input!(e),
        nextDeadline: () => core.nextDeadline!(),
        advance: () => core.advance!(),
        snapshot: () => core.snapshot(),
        restore: (s) => core.restore(s),
      };
    },
  });
}

/** The command byte the controller holds (read through its snapshot, not the ports). */
const commandByte = (core: DeviceCore) => (core.snapshot() as unknown as I8042Snapshot).commandByte;

function setupWith(module: DeviceModule) {
  const rig = guestRig(2 << 20, { devices: [{ name: 'kbd', module }] });
  return { rig, ok: ps2KeyboardSetup() };
}

describe('POST keyboard set-up', () => {
  it('a reset answered with RESEND is sent again, and POST ends with command byte 0x61', () => {
    const line: Line = { sent: [] };
    const { ok } = setupWith(resending(0xff, 1, line));
    expect(ok).toBe(true);
    expect(line.sent.filter((b) => b === 0xff)).toHaveLength(2);
    expect(commandByte(line.core!)).toBe(0x61);
  });

  it('a keyboard that answers every reset with RESEND is given up after a few tries', () => {
    const line: Line = { sent: [] };
    const { ok } = setupWith(resending(0xff, Infinity, line));
    expect(ok).toBe(false);
    expect(line.sent.filter((b) => b === 0xff).length).toBeGreaterThan(1);
    expect(line.sent.filter((b) => b === 0xff).length).toBeLessThanOrEqual(3);
    expect(line.sent).not.toContain(0xf4); // scanning never enabled
  });

  it('keys typed before POST (bytes in the controller and the keyboard) are dropped, never taken for replies', () => {
    const line: Line = { sent: [] };
    guestRig(2 << 20, { devices: [{ name: 'kbd', module: resending(0xff, 0, line) }] });
    for (const key of ['A', 'B', 'C', 'D']) {
      line.core!.input!({ at: 0, key, down: true });
      line.core!.input!({ at: 0, key, down: false });
    }
    expect(ps2KeyboardSetup()).toBe(true);
    expect(commandByte(line.core!)).toBe(0x61);
  });

  it('with no 8042 (its ports read 0xFF) POST gives up on the keyboard within its poll budget', () => {
    const rig = guestRig(2 << 20);
    const before = rig.cpu.clock.now();
    expect(ps2KeyboardSetup()).toBe(false);
    // 1000 status polls at an ISA port access's cost (≈1 µs, time.costs.io) ≈ 2 ms of machine time: a budget, not a hang
    expect(rig.cpu.clock.now() - before).toBeLessThan(10_000_000);
  });
});
