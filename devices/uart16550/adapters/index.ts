// The serial front ends by the names the module lists (`adapter:` in the YAML).
import type { SerialAdapter } from './adapter.js';
import { CaptureAdapter } from './capture.js';
import { FileAdapter } from './file.js';
import { StdoutAdapter, type ByteSink } from './stdout.js';

export type { SerialAdapter } from './adapter.js';
export { CaptureAdapter } from './capture.js';
export { FileAdapter } from './file.js';
export { StdoutAdapter, type ByteSink } from './stdout.js';

export interface SerialAdapterOptions {
  /** `stdout`: where to write (default process.stdout). */
  readonly out?: ByteSink;
  /** `file`: the file to append to (required). */
  readonly path?: string;
}

/** A serial front end by name; throws on an unknown name or a `file` without a path. */
export function createSerialAdapter(name: string, options: SerialAdapterOptions = {}): SerialAdapter {
  switch (name) {
    case 'stdout': return new StdoutAdapter(options.out);
    case 'capture': return new CaptureAdapter();
    case 'file':
      if (!options.path) throw new Error('the serial file adapter needs a path');
      return new FileAdapter(options.path);
    default: throw new Error(`unknown serial adapter "${name}" (stdout, file, capture)`);
  }
}
