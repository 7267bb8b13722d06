// What every VGA front end offers the host: the screen it shows, fed with the core's frames.
import type { Frame } from '../frame.js';
import type { ScreenModel } from '../screen.js';

export interface DisplayAdapter {
  readonly screen: ScreenModel;
  onFrame(f: Frame): void;
  /** Draw the whole screen again (a terminal was resized or cleared); absent when nothing is drawn. */
  redraw?(): void;
  close(): void;
}
