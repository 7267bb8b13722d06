// Keeps the transmitted bytes in memory: for tests and for `--until "text"` style checks.
import type { SerialAdapter } from './adapter.js';

export class CaptureAdapter implements SerialAdapter {
  private readonly data: number[] = [];
  private closed = false;

  onByte(b: number): void {
    if (!this.closed) this.data.push(b & 0xff);
  }

  /** A copy of every byte received so far. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.data);
  }

  /** The bytes decoded as UTF-8 (invalid sequences become U+FFFD); CR LF stays as sent. */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  close(): void {
    this.closed = true;
  }
}
