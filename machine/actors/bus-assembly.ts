// The bus an actor drives (the CPU, or the qtest driver in its place), and the plan it is built
// from. The main thread plans from the spec and the loaded modules: which device region answers
// each port range, and where each output pin's wires go. The driving actor then turns every device
// into an endpoint — a MailboxClient to the device's worker, or an InlineEndpoint to a shell on its
// own thread — and puts a BusRouter over them. The test harness builds its one-device bus the same way.
import type { MessagePort } from 'node:worker_threads';
import type { Tracer } from '../../bus/control.js';
import type { DeviceModule } from '../../bus/device.js';
import type { DeviceEndpoint } from '../../bus/endpoint.js';
import { CPU_TARGET, type WireRoute } from '../../bus/irq.js';
import { MailboxClient } from '../../bus/mailbox.js';
import type { PhysicalMemory } from '../../bus/memory.js';
import { PortMap, type PortClaim } from '../../bus/ports.js';
import { DEFAULT_MMIO_WIDTHS, type MmioClaim } from '../../bus/mmio.js';
import { BusRouter } from '../../bus/router.js';
import type { MachineSpec } from '../config/spec.js';
import { loadDeviceModule } from '../device-registry.js';
import { DeviceShell, InlineEndpoint, type EventSink } from './device-shell.js';
import type { BusTask, HostEvent } from './protocol.js';

export interface BusPlan {
  readonly claims: PortClaim[];
  /** For each claim: the index (spec order) of the device that owns it. */
  readonly claimEndpoint: number[];
  /** routes[device][outputPin] = the wires that output drives. */
  readonly routes: Array<Array<WireRoute[] | undefined>>;
  /** Memory-mapped regions, each naming its device (bus/mmio.ts). */
  readonly mmio: MmioClaim[];
  /** Devices (spec order) on the APIC bus (bus/apic-bus.ts). */
  readonly apicBus: number[];
}

/** Port claims and wire routes of a validated spec (main thread, before any actor starts). */
export function planBus(spec: MachineSpec, modules: ReadonlyMap<string, DeviceModule<any>>): BusPlan {
  const claims: PortClaim[] = [];
  const claimEndpoint: number[] = [];
  const mmio: MmioClaim[] = [];
  const apicBus: number[] = [];
  spec.devices.forEach((d, ep) => {
    const module = modules.get(d.name)!;
    if (module.apicBus) apicBus.push(ep);
    for (const m of d.mmio ?? []) {
      const region = module.mmio![m.mmioIndex];
      const regionIndex = module.regions.length + m.mmioIndex;
      mmio.push({ device: d.name, region: m.region, regionIndex, base: m.base, size: m.size, widths: region.widths ?? DEFAULT_MMIO_WIDTHS, names: region.names, endpoint: ep });
    }
    for (const p of d.ports) {
      const region = module.regions[p.regionIndex];
      claims.push({ device: d.name, region: p.region, regionIndex: p.regionIndex, base: p.base, size: p.size, widths: region.widths ?? [1], names: region.names });
      claimEndpoint.push(ep);
    }
  });
  const index = new Map(spec.devices.map((d, i) => [d.name, i]));
  const routes: BusPlan['routes'] = spec.devices.map(() => []);
  spec.wires.forEach((w, line) => {
    const from = index.get(w.from.device)!;
    const outPin = modules.get(w.from.device)!.outputs!.indexOf(w.from.pin);
    const toDevice = w.to.device === 'cpu' ? CPU_TARGET : index.get(w.to.device)!;
    const toPin = toDevice === CPU_TARGET ? 0 : modules.get(w.to.device)!.inputs!.indexOf(w.to.pin);
    (routes[from][outPin] ??= []).push({
      line, name: `${w.from.device}.${w.from.pin} -> ${w.to.device}.${w.to.pin}`, input: `${w.to.device}.${w.to.pin}`, toDevice, toPin,
    });
  });
  return { claims, claimEndpoint, routes, mmio, apicBus };
}

/** What assembleBus reads from a task (a test harness makes these up for one device). */
export type BusParts = Pick<BusTask, 'spec' | 'mailboxes' | 'mailboxDev' | 'inputRings' | 'claims' | 'claimEndpoint' | 'routes' | 'lineLevels' | 'mmio' | 'apicBus'>;

export interface AssembledBus {
  readonly bus: BusRouter;
  /** Per device (spec order): how the bus reaches it. */
  readonly endpoints: DeviceEndpoint[];
  /** The shells of the devices placed inline (on this thread). */
  readonly shells: DeviceShell[];
}

/**
 * Build every device's endpoint (starting inline devices here) and the router over them.
 * `watch`: the control block's words, so the supervisor's watchdog sees which device is being called.
 */
export async function assembleBus(task: BusParts, memory: PhysicalMemory, tracer: Tracer, post: EventSink, watch?: Int32Array): Promise<AssembledBus> {
  const shells: DeviceShell[] = [];
  const endpoints: DeviceEndpoint[] = [];
  for (const [i, device] of task.spec.devices.entries()) {
    const mailbox = task.mailboxes[i];
    if (mailbox) {
      const client = new MailboxClient(device.name, mailbox, task.mailboxDev?.[i] ?? 0);
      // The supervisor's watchdog names a hung device first; this is the backstop if it cannot.
      if (task.spec.watchdogMs) client.hangLimitMs = task.spec.watchdogMs * 2;
      endpoints.push(client);
    } else {
      const module = await loadDeviceModule(device.module, { withOptions: false });
      const shell = new DeviceShell(device.name, module, device.options, memory, tracer, post, device, task.inputRings[i]);
      shells.push(shell);
      endpoints.push(new InlineEndpoint(shell));
    }
  }
  const bus = new BusRouter(
    {
      portMap: new PortMap(task.claims),
      claimEndpoint: task.claimEndpoint,
      endpoints,
      routes: task.routes,
      lineLevels: new Int32Array(task.lineLevels),
      watch,
      mmio: task.mmio,
      apicBus: task.apicBus,
    },
    tracer,
  );
  return { bus, endpoints, shells };
}

/** Device events of inline shells go to the main thread on the actor's events port. */
export function postDeviceEvents(eventsPort: MessagePort): EventSink {
  return (device, channel, payload) => eventsPort.postMessage({ type: 'device', device, channel, payload });
}

/** Answer the main thread's sync handshake; hand any other host message to `other`. */
export function serveHostEvents(eventsPort: MessagePort, other?: (m: HostEvent) => void): void {
  eventsPort.on('message', (m: HostEvent) => {
    if (m.type === 'sync') eventsPort.postMessage({ type: 'synced', id: m.id });
    else other?.(m);
  });
}
