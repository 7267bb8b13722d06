// Front-end adapters for devices that have one, created on the main thread from the YAML's
// `adapter:` and fed with the device's events: VGA displays (terminal, headless) and serial
// ports (stdout, file, capture).
import { HeadlessAdapter } from '../devices/vga/adapters/headless.js';
import { TerminalAdapter, type TextSink } from '../devices/vga/adapters/terminal.js';
import type { DisplayAdapter } from '../devices/vga/adapters/adapter.js';
import type { Frame } from '../devices/vga/frame.js';
import { createSerialAdapter, type SerialAdapter } from '../devices/uart16550/adapters/index.js';
import type { DeviceModule } from '../bus/device.js';
import type { DeviceSpec } from './config/spec.js';
import type { DeviceEvent } from './machine.js';

export interface FrontEnd {
  readonly device: string;
  readonly display?: DisplayAdapter;
  onEvent(e: DeviceEvent): void;
  close(): void;
}

export interface FrontEndHost {
  /** The full-screen UI's sink, when the terminal shows the VGA screen. */
  readonly terminal?: TextSink;
  /** Serial bytes meant for stdout while the full-screen UI owns it: kept, printed after. */
  readonly deferredStdout?: { write(chunk: Uint8Array): void };
  /** The machine's name: part of a serial log's default file name. */
  readonly machineName?: string;
}

/**
 * Where a serial port with `adapter: file` appends: its `options.file`, else
 * `<machine>.<device>.serial.log` (two machines run in one folder do not share a log). Relative
 * paths count from the folder actorpc runs in, as --log and --screen do. Undefined for others.
 */
export function serialLogPath(device: DeviceSpec, kind: string, machineName: string): string | undefined {
  if (kind !== 'uart16550' || device.adapter !== 'file') return undefined;
  const file = device.options.file;
  return typeof file === 'string' && file !== '' ? file : `${machineName}.${device.name}.serial.log`;
}

/**
 * A front-end for `device` of module `kind`, or undefined when it has no adapter. A module that
 * brings front ends of its own (`frontEnds` in its module, e.g. a user device's) is asked first.
 */
export function createFrontEnd(device: DeviceSpec, kind: string, host: FrontEndHost = {}, module?: DeviceModule<any>): FrontEnd | undefined {
  if (!device.adapter) return undefined;
  const own = module?.frontEnds?.[device.adapter];
  if (own) {
    const out = host.deferredStdout;
    const adapter = own({
      device: device.name, machine: host.machineName ?? 'machine', options: device.options,
      write: (text) => (out ? out.write(new TextEncoder().encode(text)) : process.stdout.write(text)),
    });
    return { device: device.name, onEvent: (e) => adapter.onEvent(e.channel, e.payload), close: () => adapter.close?.() };
  }
  if (kind === 'vga') {
    const display: DisplayAdapter = device.adapter === 'terminal' && host.terminal ? new TerminalAdapter(host.terminal) : new HeadlessAdapter();
    return {
      device: device.name,
      display,
      onEvent(e) {
        if (e.channel === 'frame') display.onFrame(e.payload as Frame);
      },
      close: () => display.close(),
    };
  }
  if (kind === 'uart16550') {
    const serial: SerialAdapter = createSerialAdapter(device.adapter, {
      out: device.adapter === 'stdout' ? host.deferredStdout : undefined,
      path: serialLogPath(device, kind, host.machineName ?? 'machine'),
    });
    return {
      device: device.name,
      onEvent(e) {
        if (e.channel === 'tx') serial.onByte(e.payload as number);
      },
      close: () => serial.close(),
    };
  }
  return undefined;
}
