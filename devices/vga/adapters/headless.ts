// No output: keeps the screen model only (screen dumps, `--until "text"`).
import type { Frame } from '../frame.js';
import { ScreenModel } from '../screen.js';
import type { DisplayAdapter } from './adapter.js';

export class HeadlessAdapter implements DisplayAdapter {
  readonly screen = new ScreenModel();
  private closed = false;

  onFrame(f: Frame): void {
    if (!this.closed) this.screen.apply(f);
  }

  close(): void {
    this.closed = true;
  }
}
