// QEMU's isa-debug-exit, one test per row of device-models.md §1.6 and the blog_os exit codes
// (blog-os-behaviour.md §5.2): status (v << 1) | 1, the first write stops the machine.
import { describe, it, expect } from 'vitest';
import { debugExit } from '../../devices/debug-exit/module.js';
import { debugExitOptions } from '../../devices/debug-exit/options.js';
import { exitStatusOf } from '../../devices/debug-exit/core.js';
import type { DeviceCore } from '../../bus/device.js';
import { DeviceEffect } from '../../bus/router.js';
import { Effect } from '../../bus/endpoint.js';
import { busRig } from '../support/bus-rig.js';
import { FakeContext } from '../support/fake-context.js';

function dev(options: Record<string, unknown> = {}): { ctx: FakeContext; core: DeviceCore } {
  const ctx = new FakeContext('exit');
  return { ctx, core: debugExit.create(ctx, debugExitOptions.parse(options)) };
}

describe('iobase / iosize', () => {
  it('defaults to port 0xF4 with 4 ports decoded (blog_os: iobase=0xf4,iosize=0x04)', () => {
    const io = debugExit.regions[0];
    expect([io.name, io.base, io.size, io.widths]).toEqual(['io', 0xf4, 4, [1, 2, 4]]);
    expect(debugExitOptions.parse({})).toEqual({ iosize: 4 });
  });

  it('iosize accepts 1, 2 or 4 and nothing else; unknown options are an error', () => {
    for (const iosize of [1, 2, 4]) expect(debugExitOptions.safeParse({ iosize }).success).toBe(true);
    for (const bad of [{ iosize: 3 }, { iosize: 8 }, { iobase: 0xf4 }]) expect(debugExitOptions.safeParse(bad).success).toBe(false);
  });

  it('ports at or past iosize are not decoded: a write there is a guest error and does not exit', () => {
    const { ctx, core } = dev({ iosize: 2 });
    core.write(0, 2, 1, 0x10);
    core.write(0, 3, 1, 0x10);
    expect(ctx.exits).toEqual([]);
    expect(ctx.tracesOf('guest_error')).toHaveLength(2);
    core.write(0, 1, 1, 0x10); // any decoded offset exits (QEMU ignores the address)
    expect(ctx.exits).toEqual([{ status: 33, reason: 'isa-debug-exit' }]);
  });

  it('an access running past iosize carries only its decoded low bytes', () => {
    const { ctx, core } = dev({ iosize: 1 });
    core.write(0, 0, 4, 0x1234_5611);
    expect(ctx.exits[0].status).toBe(35);
  });
});

describe('exit status = (value << 1) | 1', () => {
  it('blog_os Success (0x10) gives 33', () => {
    const { ctx, core } = dev();
    core.write(0, 0, 4, 0x10);
    expect(ctx.exits).toEqual([{ status: 33, reason: 'isa-debug-exit' }]);
  });

  it('blog_os Failed (0x11) gives 35', () => {
    const { ctx, core } = dev();
    core.write(0, 0, 4, 0x11);
    expect(ctx.exits).toEqual([{ status: 35, reason: 'isa-debug-exit' }]);
  });

  it('0 gives 1: the status is always odd', () => {
    const { ctx, core } = dev();
    core.write(0, 0, 4, 0);
    expect(ctx.exits[0].status).toBe(1);
    expect(exitStatusOf(0xffff_ffff)).toBe(2 ** 33 - 1); // no 32-bit overflow; the host keeps 8 bits
  });

  it('only the first write counts (QEMU ≥ 9.1 queues the request; here the machine stops at once)', () => {
    const { ctx, core } = dev();
    core.write(0, 0, 4, 0x10);
    core.write(0, 0, 4, 0x11);
    expect(ctx.exits).toEqual([{ status: 33, reason: 'isa-debug-exit' }]);
    expect(ctx.tracesOf('debugexit.ignored')).toHaveLength(1);
    expect(core.snapshot()).toEqual({ version: 1, exitStatus: 33 });
  });

  it('a restored device remembers that it already stopped the machine', () => {
    const { core } = dev();
    core.write(0, 0, 1, 0x10);
    const other = dev();
    other.core.restore(core.snapshot());
    other.core.write(0, 0, 1, 0x11);
    expect(other.ctx.exits).toEqual([]);
    expect(() => other.core.restore({ version: 1, exitStatus: 0 })).toThrow(/bad snapshot/);
  });
});

describe('access widths', () => {
  it.each([[1, 0x10, 33], [2, 0x0110, 0x221], [4, 0x0001_0010, 0x2_0021]])('a %i-byte write of %i exits with %i', (size, value, status) => {
    const { ctx, core } = dev();
    core.write(0, 0, size as 1 | 2 | 4, value);
    expect(ctx.exits).toEqual([{ status, reason: 'isa-debug-exit' }]);
    expect(ctx.tracesOf('debugexit.write')[0].fields).toEqual({ offset: 0, size, value, status });
  });

  it('a 32-bit out to 0xF4 through the bus stops the machine with 33 during the instruction', () => {
    const rig = busRig([{ name: 'exit', module: debugExit }]);
    let caught: unknown;
    try {
      rig.bus.out(0xf4, 4, 0x10, 100);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DeviceEffect);
    expect([(caught as DeviceEffect).effect, (caught as DeviceEffect).value]).toEqual([Effect.Exit, 33]);
  });
});

describe('reads', () => {
  it('decoded ports read 0 at every width (debug_exit_read)', () => {
    const { ctx, core } = dev();
    expect([core.read(0, 0, 1), core.read(0, 0, 2), core.read(0, 0, 4), core.read(0, 3, 1)]).toEqual([0, 0, 0, 0]);
    expect(ctx.exits).toEqual([]);
  });

  it('ports past iosize float: 0xFF per undecoded byte', () => {
    const { ctx, core } = dev({ iosize: 2 });
    expect(core.read(0, 0, 4)).toBe(0xffff_0000);
    expect(core.read(0, 2, 1)).toBe(0xff);
    expect(ctx.tracesOf('guest_error')).toHaveLength(1);
  });
});
