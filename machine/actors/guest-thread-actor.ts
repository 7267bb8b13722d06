// A guest-thread worker (machine/actors/guest-threads.ts): loads the kernel as the CPU thread did
// (the same modules in the same order give every function and static the same address), builds
// a CPU whose bus is the boot thread's (RemoteBus), and runs the guest threads it is given.
import { codeLayout, loadKernel } from './cpu-actor.js';
import { parentPort, workerData } from 'node:worker_threads';
import { RealtimeClock, VirtualClock, type MachineClock } from '../../bus/clock.js';
import { ControlBlock, Tracer } from '../../bus/control.js';
import { PhysicalMemory } from '../../bus/memory.js';
import { Cpu } from '../../cpu/cpu.js';
import { GuestReturned } from '../../cpu/errors.js';
import { bindCpu } from '../../cpu/isa.js';
import { TEXT } from '../../cpu/text.js';
import { BatonThreads, loadCpuState, saveCpuState, ThreadAbandoned } from '../../cpu/threads.js';
import { BatonBlock, RemoteBus } from './baton.js';
import { WorkerThreads, type GuestThreadTask } from './guest-threads.js';

async function main(task: GuestThreadTask): Promise<void> {
  const { spec, handle } = task;
  await loadKernel(spec);
  const layout = codeLayout();
  if (layout !== task.layout) {
    throw new Error(`guest-thread worker ${handle} placed the kernel's code differently from the CPU thread (${layout} against ${task.layout}): the two threads loaded different modules`);
  }
  const control = new ControlBlock(task.control);
  const block = new BatonBlock(task.baton, task.count);
  const bus = new RemoteBus(block);
  const host = new WorkerThreads(block, handle, bus);
  parentPort!.postMessage({ type: 'up' });

  let cpu: Cpu | undefined;
  for (;;) {
    const start = host.awaitStart();
    if (!start) return;
    // Built at the first start: the boot thread's clock origin is known by then.
    if (!cpu) {
      const clock: MachineClock = spec.time.mode === 'virtual' ? new VirtualClock(spec.time.costs) : new RealtimeClock(block.clockOrigin);
      const c = new Cpu(new PhysicalMemory(task.memory), bus, clock, control, new Tracer(control, task.ring), {
        stopAt: task.stopAt,
        stopReason: task.stopReason,
        noReboot: spec.noReboot,
        idle: spec.time.idle,
        onReady: () => bus.ready(clock.now()),
        onIdleForever: (why, detail) => bus.idleForever(clock.now(), why, detail),
      });
      c.threads = new BatonThreads(c, host);
      host.haltedMs = () => c.stats().haltedHostMs;
      cpu = c;
    }
    bindCpu(cpu);
    cpu.handlerDepth = 0;
    try {
      loadCpuState(cpu, block.state);
      cpu.rip = start.entry;
      cpu.boundary(false); // the switch that started this thread retires here
      try {
        cpu.checkFetch(start.entry);
      } catch (err) {
        cpu.fault(err); // an entry on a page that is not executable: #PF, as a fetch there would
      }
      const entry = TEXT.at(start.entry);
      if (!entry || entry.addr !== start.entry) throw new GuestReturned(`guest thread on host thread ${handle}: its entry 0x${start.entry.toString(16)} is not the start of a function`);
      entry.impl(start.arg);
      throw new GuestReturned(`guest thread on host thread ${handle}: ${entry.name} returned (a thread must end by switching away for good)`);
    } catch (err) {
      if (err instanceof ThreadAbandoned) continue;
      // The machine stops, resets or exits while this thread holds the CPU: it goes home with why.
      if (cpu) saveCpuState(cpu, block.state);
      bindCpu(undefined);
      host.goHome(err);
    }
  }
}

main(workerData as GuestThreadTask).catch((err: unknown) => {
  parentPort!.postMessage({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
});
