// Writes the transmitted bytes to a host stream (process.stdout by default). Bytes are gathered
// and written once per event-loop turn, so a kernel printing a line costs one write, not one per
// character; close() writes what is still pending.
import type { SerialAdapter } from './adapter.js';

/** The part of a Node writable this adapter uses. */
export interface ByteSink {
  write(chunk: Uint8Array): unknown;
}

export class StdoutAdapter implements SerialAdapter {
  private pending: number[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly out: ByteSink = process.stdout) {}

  onByte(b: number): void {
    if (this.closed) return;
    this.pending.push(b & 0xff);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Write the gathered bytes now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = Uint8Array.from(this.pending);
    this.pending = [];
    this.out.write(chunk);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }
}
