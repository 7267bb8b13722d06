// A device actor on its own worker thread: serves its mailbox, yields to the event loop between
// bursts so comlink control and the events port stay responsive.
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
  const { device, eventsPort, controlPort } = task;
  const control = new ControlBlock(task.control);
  const tracer = new Tracer(control, task.ring);
  const module = await loadDeviceModule(device.module);
  const shell = new DeviceShell(
    device.name,
    module,
    device.options,
    new PhysicalMemory(task.memory),
    tracer,
    (name, channel, payload) => eventsPort.postMessage({ type: 'device', device: name, channel, payload }),
    device.onCrash,
    task.inputRing,
  );
  eventsPort.on('message', (m: HostEvent) => {
    if (m.type === 'sync') eventsPort.postMessage({ type: 'synced', id: m.id });
  });
  exposeControl(
    {
      snapshot: () => shell.core.snapshot(),
      stats: () => ({ calls: shell.calls, crashes: shell.crashes }),
    },
    controlPort,
  );

  const server = new MailboxServer(task.mailbox);
  const result: CallResult = newCallResult();
  const handle = (q: MailboxRequest, r: CallResult): number => shell.handle(q.op, q.a, q.b, q.c, q.value, q.now, r);
  try {
    while (!server.stopRequested) {
      server.serve(handle, result, IDLE_SLICE_MS);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    eventsPort.close();
    controlPort.close();
  }
  return { device: device.name, calls: shell.calls, crashes: shell.crashes };
}
