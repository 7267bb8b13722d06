// The qtest actor: the CPU's seat on the bus taken by the qtest protocol driver. It builds the
// same endpoints and BusRouter as the CPU actor (bus-assembly.ts), then, unlike the CPU, lives
// on its event loop: command lines arrive in batches (as many as the main thread had read) as
// messages on the events port, each runs to the end synchronously (mailbox round trips to worker
// devices included), and the batch's output goes back on the same port as one message. Time is
// virtual and moves only on clock_step / clock_set.
import { C_CPU_WAKE, ControlBlock, CpuState, Tracer } from '../../bus/control.js';
import { PhysicalMemory } from '../../bus/memory.js';
import { loadDeviceModule } from '../device-registry.js';
import { assembleBus, postDeviceEvents, serveHostEvents } from './bus-assembly.js';
import { exposeControl } from './comlink.js';
import { QtestDriver, type QtestEnd } from './qtest-driver.js';
import type { CpuExit, QtestTask } from './protocol.js';

export async function runQtest(task: QtestTask): Promise<CpuExit> {
  const { spec, eventsPort, controlPort } = task;
  const control = new ControlBlock(task.control);
  const tracer = new Tracer(control, task.ring);
  const memory = new PhysicalMemory(task.memory);
  const { bus, shells } = await assembleBus(task, memory, tracer, postDeviceEvents(eventsPort), control.i32);
  const devices = await Promise.all(spec.devices.map(async (d) => ({ name: d.name, module: await loadDeviceModule(d.module, { withOptions: false }) })));
  const driver = new QtestDriver(bus, memory, devices, tracer, () => control.stopRequested);
  exposeControl(
    {
      stats: () => ({ commands: driver.commands, now: driver.now, unclaimed: bus.unclaimedTable() }),
      snapshot: (device: string) => shells.find((s) => s.name === device)?.core.snapshot(),
    },
    controlPort,
  );

  tracer.emit(0, 'machine.start', 'qtest', { machine: spec.name, driver: 'qtest', clock: 'virtual' });
  control.cpuState = CpuState.Running;
  const send = (text: string) => { eventsPort.postMessage({ type: 'qtest-output', text }); };
  driver.start(); // a device failing at power-on ends the session before any command (driver.end)

  return new Promise<CpuExit>((resolve) => {
    let done = false;
    const finish = (end: QtestEnd | { reason: 'stop'; status: 0 }) => {
      if (done) return;
      done = true;
      try {
        bus.flushAll(driver.now);
      } catch {
        // a dead device cannot flush; the stop reason already says why
      }
      control.now = driver.now;
      control.cpuState = CpuState.Stopped;
      tracer.emit(driver.now, 'machine.stop', 'qtest', { reason: end.reason, status: end.status });
      control.wakeCpu(); // releases untilStopRequested()
      const { message, crash } = end as QtestEnd;
      resolve({ reason: end.reason, status: end.status, instructions: 0, now: driver.now, unclaimed: bus.unclaimedTable(), message, crash });
    };
    serveHostEvents(eventsPort, (m) => {
      if (done) return;
      if (m.type === 'qtest-line') {
        // One reply message per batch, even an empty one: the main thread counts them to pace its reading.
        let out = '';
        for (const line of m.text.split('\n')) {
          if (driver.end || control.stopRequested) break;
          out += driver.execute(line);
        }
        send(out);
        control.now = driver.now;
        if (driver.end) finish(driver.end);
      } else if (m.type === 'qtest-end') {
        finish({ reason: 'stop', status: 0 });
      }
    });
    if (driver.end) finish(driver.end);
    void untilStopRequested(control, () => done).then(() => finish({ reason: 'stop', status: 0 }));
  });
}

/** Resolves when the main thread (or the supervisor, for a dead actor) asks the machine to stop. */
async function untilStopRequested(control: ControlBlock, finished: () => boolean): Promise<void> {
  while (!finished() && !control.stopRequested) {
    const seen = Atomics.load(control.i32, C_CPU_WAKE);
    if (control.stopRequested) return;
    const wait = Atomics.waitAsync(control.i32, C_CPU_WAKE, seen);
    if (wait.async) await wait.value;
  }
}
