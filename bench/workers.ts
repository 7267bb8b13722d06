// Worker bodies for the benches: a device shell behind a mailbox, a bare ping-pong, and a bare
// halted thread woken by Atomics.notify.
import { workerData, parentPort } from 'node:worker_threads';
import { ControlBlock, Tracer } from '../bus/control.js';
import { newCallResult } from '../bus/endpoint.js';
import { MailboxServer, SERVER_SPIN } from '../bus/mailbox.js';
import { PhysicalMemory } from '../bus/memory.js';
import { allocateRing } from '../bus/trace-ring.js';
import { DeviceShell } from '../machine/actors/device-shell.js';
import { loadDeviceModule } from '../machine/device-registry.js';
import { echo } from './echo-device.js';

const data = workerData as {
  kind: 'device' | 'pingpong' | 'halted';
  sab: SharedArrayBuffer;
  module?: string;
  options?: Record<string, unknown>;
  /** pingpong: polls before sleeping (default: the mailbox server's). */
  spin?: number;
};

if (data.kind === 'device') {
  const control = ControlBlock.allocate();
  const module = data.module ? await loadDeviceModule(data.module) : echo;
  const options = module.options ? (module.options.parse(data.options ?? {}) as Record<string, unknown>) : {};
  const shell = new DeviceShell(data.module ?? 'echo', module, options, PhysicalMemory.allocate(4096), new Tracer(control, allocateRing(1 << 12)), () => {});
  const server = new MailboxServer(data.sab);
  const result = newCallResult();
  while (!server.stopRequested) server.serve((q, r) => shell.handle(q.op, q.a, q.b, q.c, q.value, q.now, r), result, 50);
} else if (data.kind === 'pingpong') {
  // Bare ping-pong: [0] request seq, [1] response seq, same spin-then-wait budget as the mailbox.
  const i32 = new Int32Array(data.sab);
  let last = 0;
  for (;;) {
    let spins = data.spin ?? SERVER_SPIN;
    let seq = Atomics.load(i32, 0);
    while (seq === last) {
      if (--spins > 0) { seq = Atomics.load(i32, 0); continue; }
      Atomics.wait(i32, 0, last, 50);
      seq = Atomics.load(i32, 0);
      if (Atomics.load(i32, 2)) break;
    }
    if (Atomics.load(i32, 2)) break;
    last = seq;
    Atomics.store(i32, 1, seq);
    Atomics.notify(i32, 1);
  }
} else {
  // A halted thread: sleep in Atomics.wait until notified; report how late the wake-up was.
  const i32 = new Int32Array(data.sab, 0, 4);
  const f64 = new Float64Array(data.sab, 16, 2);
  const lateness: number[] = [];
  for (;;) {
    const seen = Atomics.load(i32, 0);
    parentPort!.postMessage({ ready: seen });
    Atomics.wait(i32, 0, seen);
    const woke = performance.timeOrigin + performance.now();
    if (Atomics.load(i32, 1)) break;
    lateness.push((woke - f64[0]) * 1e6);
  }
  parentPort!.postMessage({ lateness });
}
