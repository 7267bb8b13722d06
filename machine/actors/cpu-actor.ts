// The CPU actor: the CPU core, its view of the bus, the inline devices, and the guest (firmware,
// then the kernel) running synchronously on this thread until the machine stops.
import { RealtimeClock, VirtualClock, type MachineClock } from '../../bus/clock.js';
import { C_BUSY, ControlBlock, CpuState, Tracer } from '../../bus/control.js';
import { ActorDeadError } from '../../bus/mailbox.js';
import { PhysicalMemory } from '../../bus/memory.js';
import { DeviceEffect, DeviceStuck } from '../../bus/router.js';
import { Effect } from '../../bus/endpoint.js';
import { Cpu } from '../../cpu/cpu.js';
import { GuestReturned, MachineReset, MachineStop } from '../../cpu/errors.js';
import { bindCpu } from '../../cpu/isa.js';
import { powerOn } from '../../firmware/post.js';
import { KERNEL_MAINS, type KernelStart } from '../../kernel/mains.js';
import { staticsLayout } from '../../kernel/statics.js';
import { TEXT } from '../../cpu/text.js';
import { BatonThreads } from '../../cpu/threads.js';
import { BootThreads } from './guest-threads.js';
import type { MachineSpec } from '../config/spec.js';
import { features, setFeatures } from '../../kernel/features.js';
import { assembleBus, postDeviceEvents, serveHostEvents } from './bus-assembly.js';
import { exposeControl } from './comlink.js';
import { DeviceCrash } from './device-shell.js';
import type { CpuExit, CpuTask } from './protocol.js';
import { CpuSession, ReplayMismatch } from '../replay/session.js';

/** Load the kernel `spec` names (its modules place their functions and statics) and set its features; returns `_start`. */
export async function loadKernel(spec: MachineSpec): Promise<KernelStart> {
  const kernel = KERNEL_MAINS[spec.kernel.main];
  if (!kernel) throw new Error(`unknown kernel.main "${spec.kernel.main}"`);
  const kernelStart = (await kernel.load()).entry(spec.kernel.scenario);
  if (spec.kernel.allocator) setFeatures({ ...features(), allocator: spec.kernel.allocator });
  if (spec.kernel.timesliceNs) setFeatures({ ...features(), timesliceNs: spec.kernel.timesliceNs });
  return kernelStart;
}

/** The addresses code and statics were given on this thread (a guest-thread worker must match them). */
export function codeLayout(): string {
  return `${TEXT.layout()};${staticsLayout()}`;
}

/** The realtime clock's origin as an absolute time, for clocks on other threads (virtual: unused). */
function clockOrigin(clock: MachineClock): number {
  return clock instanceof RealtimeClock ? clock.epochOrigin : 0;
}

/** A triple-fault boot loop is reported after this many resets in a row. */
const MAX_RESETS = 50;

export async function runCpu(task: CpuTask): Promise<CpuExit> {
  const { spec, eventsPort, controlPort } = task;
  const control = new ControlBlock(task.control);
  const tracer = new Tracer(control, task.ring);
  const memory = new PhysicalMemory(task.memory);
  const { bus, shells } = await assembleBus(task, memory, tracer, postDeviceEvents(eventsPort), control.i32);
  const kernelStart = await loadKernel(spec);
  if (task.session && spec.cpu.threads > 0) throw new Error('the monitor, --record, --replay and --stop-at do not support machines with guest threads (cpu.threads) yet');
  // Guest threads (cpu.threads): workers that load the same kernel and wait for the CPU.
  const threads = spec.cpu.threads > 0
    ? await BootThreads.start({ spec, control: task.control, memory: task.memory, layout: codeLayout(), stopAt: task.stopAt, stopReason: task.stopReason }, task.threadRings ?? [])
    : undefined;

  // Machine time starts when every device worker serves (a realtime --for 100ms sees a booted screen).
  control.awaitGo();
  const started = performance.now();
  const baseClock: MachineClock = spec.time.mode === 'virtual' ? new VirtualClock(spec.time.costs) : new RealtimeClock();
  // The monitor, --record, --replay, --stop-at (machine/replay/session.ts): counted, logged or replayed clock reads.
  const session = task.session ? new CpuSession(task.session, control, bus, shells, task.inputRings, baseClock) : undefined;
  const clock: MachineClock = session?.clock ?? baseClock;
  const cpu = new Cpu(memory, bus, clock, control, tracer, {
    stopAt: task.stopAt,
    stopReason: task.stopReason,
    noReboot: spec.noReboot,
    idle: spec.time.idle,
    onIdleForever: (why, detail) => eventsPort.postMessage({ type: 'idle-forever', t: clock.now(), why, detail }),
    onReady: () => eventsPort.postMessage({ type: 'ready', t: session ? session.clock.last : clock.now() }),
    host: session?.host,
  });
  session?.bind(cpu);
  if (threads) {
    threads.bind(bus, {
      ready: (t) => eventsPort.postMessage({ type: 'ready', t }),
      idleForever: (t, why, detail) => eventsPort.postMessage({ type: 'idle-forever', t, why, detail }),
    }, clockOrigin(baseClock));
    cpu.threads = new BatonThreads(cpu, threads);
  }

  serveHostEvents(eventsPort);
  // Reachable only while the guest is not running: the guest never returns to the event loop.
  exposeControl(
    {
      stats: () => ({ ...cpu.stats(), unclaimed: bus.unclaimedTable() }),
      snapshot: (device: string) => shells.find((s) => s.name === device)?.core.snapshot(),
    },
    controlPort,
  );

  bindCpu(cpu);
  tracer.emit(0, 'machine.start', 'cpu', { machine: spec.name, kernel: spec.kernel.main, clock: spec.time.mode });
  control.cpuState = CpuState.Running;
  let exit: Pick<CpuExit, 'reason' | 'status' | 'message' | 'crash' | 'resets' | 'replayError'>;
  let resets = 0;
  for (;;) {
    try {
      threads?.abandonAll(); // a reset ends every guest thread but the boot thread
      control.bootThreadHolds();
      cpu.reset();
      if (resets > 0) bus.resetAll(clock.now());
      bus.prime(clock.now());
      powerOn(kernelStart, spec.memoryBytes);
      throw new GuestReturned('the kernel entry returned (it must never return)');
    } catch (err) {
      // A device's reset line (the 8042's output port bit 0) resets the machine as a triple fault does.
      if (err instanceof DeviceEffect && err.effect === Effect.Reset) err = new MachineReset(`${err.device}: reset line`);
      if (err instanceof MachineReset) {
        resets++;
        tracer.emit(clock.now(), 'machine.reset', 'cpu', { why: err.why, count: resets });
        eventsPort.postMessage({ type: 'reset', t: clock.now(), why: err.why, count: resets });
        if (resets < MAX_RESETS) continue;
        exit = { reason: 'boot-loop', status: 1, resets, message: `${resets} resets in a row (${err.why})` };
      } else if (err instanceof MachineStop) {
        exit = { reason: err.reason, status: err.status, resets };
        if (err.reason === 'stop') session?.stopped();
      } else if (err instanceof ReplayMismatch) exit = { reason: 'stop', status: 2, message: err.message, replayError: true, resets };
      else if (err instanceof DeviceEffect && err.effect === Effect.Exit) exit = { reason: 'exit', status: err.value, message: err.message, resets };
      else if (err instanceof DeviceCrash) exit = { reason: 'crash', status: 1, crash: { actor: err.device, error: err.message }, resets };
      else if (err instanceof ActorDeadError) exit = { reason: 'crash', status: 1, crash: { actor: err.actor, error: err.message }, resets };
      else if (err instanceof DeviceStuck) exit = { reason: 'crash', status: 1, crash: { actor: err.device, error: err.message }, resets };
      else throw err;
    }
    break;
  }
  bindCpu(undefined);
  threads?.abandonAll();
  const threadHostMs = threads?.workersRanMs();
  await threads?.close();
  control.i32[C_BUSY] = 0;
  const now = clock.now();
  try {
    bus.flushAll(now);
  } catch (err) {
    // A dead device cannot flush (the stop reason says why); one whose flush throws has crashed.
    if (err instanceof DeviceCrash && !exit.crash) exit = { reason: 'crash', status: 1, crash: { actor: err.device, error: err.message }, resets };
  }
  control.now = now;
  control.instructions = cpu.icount;
  control.cpuState = CpuState.Stopped;
  tracer.emit(now, 'machine.stop', 'cpu', { reason: exit.reason, status: exit.status });
  const replayEnd = exit.replayError ? undefined : session?.finish(exit.reason);
  if (replayEnd) exit = { ...exit, status: 2, message: replayEnd, replayError: true };
  // Host time: the thread's time since machine time started, less its halts and its inline devices' calls.
  const inline = shells.map((s) => s.served());
  // With guest threads, less the time parked in a switch: the workers' own time is theirs.
  const parkedMs = threads?.parkedMs ?? 0;
  const cpuHostMs = Math.max(0, performance.now() - started - cpu.stats().haltedHostMs - parkedMs - inline.reduce((sum, d) => sum + d.hostMs, 0));
  return { ...exit, instructions: cpu.icount, now, unclaimed: bus.unclaimedTable(), served: inline, cpuHostMs, threadHostMs };
}

