// Worker bodies for the transport bench: a device shell behind a mailbox, and a bare ping-pong.
import { workerData } from 'node:worker_threads';
import { ControlBlock, Tracer } from '../bus/control.js';
import { newCallResult } from '../bus/endpoint.js';
import { MailboxServer, SERVER_SPIN } from '../bus/mailbox.js';
import { PhysicalMemory } from '../bus/memory.js';
import { allocateRing } from '../bus/trace-ring.js';
import { DeviceShell } from '../machine/actors/device-shell.js';
import { echo } from './echo-device.js';

const data = workerData as { kind: 'device' | 'pingpong'; sab: SharedArrayBuffer };

if (data.kind === 'device') {
  const control = ControlBlock.allocate();
  const shell = new DeviceShell('echo', echo, {}, PhysicalMemory.allocate(4096), new Tracer(control, allocateRing(1 << 12)), () => {});
  const server = new MailboxServer(data.sab);
  const result = newCallResult();
  while (!server.stopRequested) server.serve((q, r) => shell.handle(q.op, q.a, q.b, q.c, q.value, q.now, r), result, 50);
} else {
  // Bare ping-pong: [0] request seq, [1] response seq, same spin-then-wait budget as the mailbox.
  const i32 = new Int32Array(data.sab);
  let last = 0;
  for (;;) {
    let spins = SERVER_SPIN;
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
}
