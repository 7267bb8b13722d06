// Appends the transmitted bytes to a file (created if missing). Bytes are gathered and appended
// once per event-loop turn or every 4 KiB; close() appends the rest and closes the file.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { SerialAdapter } from './adapter.js';

const CHUNK = 4096;

export class FileAdapter implements SerialAdapter {
  private fd: number | null;
  private pending: number[] = [];
  private scheduled = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  onByte(b: number): void {
    if (this.fd === null) return;
    this.pending.push(b & 0xff);
    if (this.pending.length >= CHUNK) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Append the gathered bytes now. */
  flush(): void {
    this.scheduled = false;
    if (this.fd === null || this.pending.length === 0) return;
    const chunk = Uint8Array.from(this.pending);
    this.pending = [];
    for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off);
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }
}
