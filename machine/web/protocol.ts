// What travels on the web view's WebSocket (JSON text messages). The page (web/app.js) is
// plain JavaScript; this file is the contract both sides keep.
import type { CursorState, Frame } from '../../devices/vga/frame.js';

/** One IRQ-timeline event, compact: most runs send tens to thousands of these a second. */
export type TimelineEvent =
  /** A wire changed level (irq.level): line name as in the trace ("pic1.ir0"), 0/1. */
  | { readonly k: 'edge'; readonly t: number; readonly line: string; readonly state: number }
  /** A handler was entered (cpu.int); depth 1 = from non-handler code (absent in older traces). */
  | { readonly k: 'int'; readonly t: number; readonly vector: number; readonly depth?: number }
  /** A handler returned (cpu.iret): duration in machine ns since its entry. */
  | { readonly k: 'iret'; readonly t: number; readonly vector: number; readonly duration: number; readonly depth?: number }
  /** Output edges a device merged because time jumped past them (irq.coalesced). */
  | { readonly k: 'coalesced'; readonly t: number; readonly line: string; readonly count: number };

export interface ScreenState {
  readonly t: number;
  /** 2000 cells, char | attr << 8. */
  readonly cells: number[];
  readonly cursor: CursorState;
  readonly blink: boolean;
  readonly palette: readonly number[];
  readonly lineGraphics: boolean;
}

export type Role = 'input' | 'viewer';

export type ServerMessage =
  | { readonly type: 'hello'; readonly machine: string; readonly time: string; readonly role: Role; readonly screen: ScreenState; readonly keyboard: boolean }
  | { readonly type: 'frame'; readonly frame: Frame }
  | { readonly type: 'trace'; readonly events: TimelineEvent[]; readonly dropped: number }
  | {
      readonly type: 'status';
      /** Machine time (ns). */
      readonly t: number;
      /** The CPU's state, as the terminal's status line names it. */
      readonly state: string;
      /** Interrupts delivered per vector: [vector, count] for vectors that had any. */
      readonly counts: ReadonlyArray<readonly [number, number]>;
    }
  | { readonly type: 'role'; readonly role: Role }
  | { readonly type: 'refused'; readonly message: string }
  | { readonly type: 'end'; readonly t: number; readonly why: string };

export type ClientMessage =
  /** Characters as typed (terminal conventions: "\r" Enter, "\b" Backspace, "\x01".."\x1a" Ctrl-letter). */
  | { readonly type: 'type'; readonly text: string }
  /** One named key pressed and released (pc-keyboard KeyCode names: ArrowUp, F1, ...). */
  | { readonly type: 'key'; readonly key: string };
