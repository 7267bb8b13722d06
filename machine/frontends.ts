// Front-end adapters for devices that have one, created on the main thread from the YAML's
// `adapter:` and fed with the device's events.
import { HeadlessAdapter } from '../devices/vga/adapters/headless.js';
import { TerminalAdapter, type TextSink } from '../devices/vga/adapters/terminal.js';
import type { DisplayAdapter } from '../devices/vga/adapters/adapter.js';
import type { Frame } from '../devices/vga/frame.js';
import type { DeviceSpec } from './config/spec.js';
import type { DeviceEvent } from './machine.js';

export interface FrontEnd {
  readonly device: string;
  readonly display?: DisplayAdapter;
  onEvent(e: DeviceEvent): void;
  close(): void;
}

/** A front-end for `device`, or undefined when it has no adapter. `terminal` needs the UI's sink. */
export function createFrontEnd(device: DeviceSpec, kind: string, terminal?: TextSink): FrontEnd | undefined {
  if (kind !== 'vga' || !device.adapter) return undefined;
  const display: DisplayAdapter =
    device.adapter === 'terminal' && terminal ? new TerminalAdapter(terminal) : new HeadlessAdapter();
  return {
    device: device.name,
    display,
    onEvent(e) {
      if (e.channel === 'frame') display.onFrame(e.payload as Frame);
    },
    close: () => display.close(),
  };
}

