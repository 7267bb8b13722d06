// A device worker: serves its mailbox for the device it hosts — or for every device of its
// placement group, which then share the thread and its mailbox — and yields to the event loop
// between bursts so comlink control and the events port stay responsive.
import { ControlBlock, Tracer } from '../../bus/control.js';
import { newCallResult } from '../../bus/endpoint.js';
import { MailboxServer, type MailboxRequest } from '../../bus/mailbox.js';
import { PhysicalMemory } from '../../bus/memory.js';
import type { CallResult } from '../../bus/endpoint.js';
import { loadDeviceModule } from '../device-registry.js';
import { exposeControl } from './comlink.js';
import { DeviceShell } from './device-shell.js';
import type { DeviceExit, DeviceTask, HostEvent } from './protocol.js';

/** Longest a device serves before yielding to its event loop (ms). */
const IDLE_SLICE_MS = 20;

export async function runDevice(task: DeviceTask): Promise<DeviceExit> {
  const { eventsPort, controlPort } = task;
  const control = new ControlBlock(task.control);
  const tracer = new Tracer(control, task.ring);
  const memory = new PhysicalMemory(task.memory);
  const post = (name: string, channel: string, payload: unknown) => eventsPort.postMessage({ type: 'device', device: name, channel, payload });
  const shells: DeviceShell[] = [];
  for (const [i, device] of task.devices.entries()) {
    const module = await loadDeviceModule(device.module, { withOptions: false });
    shells.push(new DeviceShell(device.name, module, device.options, memory, tracer, post, device, task.inputRings[i]));
  }
  eventsPort.on('message', (m: HostEvent) => {
    if (m.type === 'sync') eventsPort.postMessage({ type: 'synced', id: m.id });
  });
  const shellNamed = (name: string) => shells.find((s) => s.name === name);
  exposeControl(
    {
      snapshot: (device?: string) => (device === undefined ? shells[0] : shellNamed(device))?.core.snapshot(),
      stats: () => shells.map((s) => ({ device: s.name, calls: s.calls, crashes: s.crashes })),
    },
    controlPort,
  );

  const server = new MailboxServer(task.mailbox);
  const result: CallResult = newCallResult();
  const handle = (q: MailboxRequest, r: CallResult): number => shells[q.dev].handle(q.op, q.a, q.b, q.c, q.value, q.now, r);
  eventsPort.postMessage({ type: 'up' });
  try {
    while (!server.stopRequested) {
      server.serve(handle, result, IDLE_SLICE_MS);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    eventsPort.close();
    controlPort.close();
  }
  return { worker: task.worker, devices: shells.map((s) => s.served()) };
}
