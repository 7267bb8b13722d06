// What every serial front end offers the host: it takes the bytes the UART transmits, in order
// (the device's `tx` events, one byte each), and is closed when the machine stops.
export interface SerialAdapter {
  onByte(b: number): void;
  /** Flush anything buffered and release the sink; later bytes are ignored. */
  close(): void;
}
