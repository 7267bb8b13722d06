// Helpers for the 8042 tests: a core on a FakeContext driven as a guest would (ports 0x60/0x64),
// a bus rig with a real 8259A, and an independent set-1 table (blog-os-behaviour.md §8.9) to check
// the controller's translation against.
import type { DeviceCore } from '../../bus/device.js';
import { i8042 } from '../../devices/i8042/module.js';
import { i8259 } from '../../devices/i8259/module.js';
import { busRig, type BusRig } from '../support/bus-rig.js';
import { FakeContext } from '../support/fake-context.js';

export const OBF = 0x01;
export const AUX_OBF = 0x20;

/** A core on a FakeContext; region 0 = port 0x60, region 1 = port 0x64. */
export class Kbc {
  readonly ctx = new FakeContext('kbd');
  readonly core: DeviceCore = i8042.create(this.ctx, {});

  cmd(...values: number[]): this { for (const v of values) this.core.write(1, 0, 1, v); return this; }
  data(...values: number[]): this { for (const v of values) this.core.write(0, 0, 1, v); return this; }
  status(): number { return this.core.read(1, 0, 1); }
  read(): number { return this.core.read(0, 0, 1); }
  /** Read port 0x60 while the status says a byte is there. */
  drain(): number[] {
    const out: number[] = [];
    for (let i = 0; i < 100 && this.status() & OBF; i++) out.push(this.read());
    return out;
  }
  /** Command + read the reply. */
  ask(command: number): number[] { return this.cmd(command).drain(); }
  commandByte(): number { return this.ask(0x20)[0]; }
  key(key: string, down: boolean, at = this.ctx.t): this { this.core.input!({ at, key, down }); return this; }
  press(key: string): this { return this.key(key, true).key(key, false); }
  irq1(): number { return this.ctx.level(0); }
  irq12(): number { return this.ctx.level(1); }
  /** What SeaBIOS leaves: self-test, keyboard reset, scanning on, command byte 0x61. */
  seabios(): this {
    this.ask(0xaa);
    this.data(0xff).drain();
    this.data(0xf4).drain();
    return this.cmd(0x60).data(0x61);
  }
  guestErrors(): number { return this.ctx.tracesOf('guest_error').length; }
}

// ---- bus rig with a real PIC -----------------------------------------------------------------

export interface PcRig {
  rig: BusRig;
  now: number;
  /** Advance time and deliver a key event through input() + the shell's Service call. */
  key(key: string, down: boolean): void;
  press(key: string): void;
  inb(port: number): number;
  outb(port: number, value: number): void;
  intr(): number;
  /** INTA + read 0x60 + EOI, as blog_os's keyboard handler; returns [vector, byte]. */
  interrupt(): [number, number];
  /** Every byte delivered through IRQ1 until INTR stays low. */
  collect(): number[];
  resets: string[];
  /** Program the PIC as blog_os does (vector base 0x20), only IR1 unmasked. ICW1 drops stale edges. */
  initPic(): void;
}

export function pcRig(): PcRig {
  const rig = busRig(
    [{ name: 'kbd', module: i8042 }, { name: 'pic1', module: i8259 }],
    ['kbd.irq1 -> pic1.ir1', 'pic1.int -> cpu.intr'],
  );
  const resets: string[] = [];
  rig.bus.onEffect = (e) => { resets.push(e.device); };
  const pc: PcRig = {
    rig,
    now: 1000,
    resets,
    key(key, down) {
      pc.now += 1000;
      rig.shells[0].core.input!({ at: pc.now, key, down });
      rig.bus.service(1 << 0, pc.now);
    },
    press(key) { pc.key(key, true); pc.key(key, false); },
    inb(port) { pc.now += 10; return rig.bus.in(port, 1, pc.now); },
    outb(port, value) { pc.now += 10; rig.bus.out(port, 1, value, pc.now); },
    intr: () => rig.bus.intr,
    interrupt() {
      pc.now += 10;
      const vector = rig.bus.acknowledge(pc.now);
      const byte = pc.inb(0x60);
      pc.outb(0x20, 0x20);
      return [vector, byte];
    },
    initPic() {
      for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0x21, 0xfd]]) pc.outb(port, v);
    },
    collect() {
      const out: number[] = [];
      for (let i = 0; i < 100 && pc.intr(); i++) out.push(pc.interrupt()[1]);
      return out;
    },
  };
  return pc;
}

/** The SeaBIOS sequence through ports (ps2_keyboard_setup, abridged). */
export function seabiosInit(pc: PcRig): number[] {
  const seen: number[] = [];
  const reply = () => { while (pc.inb(0x64) & OBF) seen.push(pc.inb(0x60)); };
  pc.outb(0x64, 0xad); pc.outb(0x64, 0xa7); // both ports off while testing
  pc.outb(0x64, 0xaa); reply(); // self-test: 55
  pc.outb(0x64, 0xab); reply(); // keyboard interface test: 00
  pc.outb(0x60, 0xff); reply(); // keyboard reset: FA AA
  pc.outb(0x60, 0xf5); reply(); // disable scanning: FA
  pc.outb(0x60, 0xf4); reply(); // enable scanning: FA
  pc.outb(0x64, 0x60); pc.outb(0x60, 0x61); // translate + IRQ1, aux disabled
  return seen;
}

// ---- set 1, independently of the device's tables ---------------------------------------------

const BASE = `01 Escape 02 Key1 03 Key2 04 Key3 05 Key4 06 Key5 07 Key6 08 Key7 09 Key8 0a Key9 0b Key0
  0c OemMinus 0d OemPlus 0e Backspace 0f Tab 10 Q 11 W 12 E 13 R 14 T 15 Y 16 U 17 I 18 O 19 P 1a Oem4
  1b Oem6 1c Return 1d LControl 1e A 1f S 20 D 21 F 22 G 23 H 24 J 25 K 26 L 27 Oem1 28 Oem3 29 Oem8
  2a LShift 2b Oem7 2c Z 2d X 2e C 2f V 30 B 31 N 32 M 33 OemComma 34 OemPeriod 35 Oem2 36 RShift
  37 NumpadMultiply 38 LAlt 39 Spacebar 3a CapsLock 3b F1 3c F2 3d F3 3e F4 3f F5 40 F6 41 F7 42 F8
  43 F9 44 F10 45 NumpadLock 46 ScrollLock 47 Numpad7 48 Numpad8 49 Numpad9 4a NumpadSubtract 4b Numpad4
  4c Numpad5 4d Numpad6 4e NumpadAdd 4f Numpad1 50 Numpad2 51 Numpad3 52 Numpad0 53 NumpadPeriod 56 Oem5
  57 F11 58 F12`;
const EXTENDED = `1c NumpadEnter 1d RControl 35 NumpadDivide 38 RAltGr 47 Home 48 ArrowUp 49 PageUp 4b ArrowLeft
  4d ArrowRight 4f End 50 ArrowDown 51 PageDown 52 Insert 53 Delete 5b LWin 5c RWin 5d Apps`;

function pairs(table: string): Array<[number, string]> {
  const words = table.trim().split(/\s+/);
  const out: Array<[number, string]> = [];
  for (let i = 0; i < words.length; i += 2) out.push([parseInt(words[i], 16), words[i + 1]]);
  return out;
}

/** Set-1 make and break bytes per key, as pc-keyboard's ScancodeSet1 decodes them. */
export const SET1 = new Map<string, { make: number[]; brk: number[] }>();
for (const [code, name] of pairs(BASE)) SET1.set(name, { make: [code], brk: [code | 0x80] });
for (const [code, name] of pairs(EXTENDED)) SET1.set(name, { make: [0xe0, code], brk: [0xe0, code | 0x80] });
SET1.set('PrintScreen', { make: [0xe0, 0x2a, 0xe0, 0x37], brk: [0xe0, 0xb7, 0xe0, 0xaa] });
SET1.set('PauseBreak', { make: [0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5], brk: [] });

export const ALL_KEYS: readonly string[] = [...SET1.keys()];

export const hex = (bytes: readonly number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
