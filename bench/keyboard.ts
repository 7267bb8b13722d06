// Keystroke-to-glyph latency: from the input adapter queuing a key (main thread) to its character
// appearing in VGA memory, on the real machine in realtime mode.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { loadMachine } from '../machine/config/load.js';
import { IDLE_MODES } from '../machine/config/schema.js';
import type { IdleMode } from '../machine/config/spec.js';
import { Machine } from '../machine/machine.js';
import { typeText } from '../machine/input/keymap.js';
import { summarize, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEYS = 60;
const TEXT = 0xb8000;

/** Device placement: all on workers, all inline, or the chipset inline with the VGA on its own worker. */
type Placement = 'worker' | 'inline' | 'chipset-inline';

export async function keyboardBench(file = 'config/default.yaml'): Promise<BenchRow[]> {
  const rows: BenchRow[] = [await keystrokes(file, 'sleep', 'worker')];
  for (const idle of IDLE_MODES) rows.push(await keystrokes(file, idle, 'chipset-inline'));
  return rows;
}

export async function keystrokes(file: string, idle: IdleMode, placement: Placement): Promise<BenchRow> {
  let spec = await loadMachine(join(ROOT, file));
  const placed = (module: string) => (placement === 'chipset-inline' ? (module === 'vga' ? 'worker' : 'inline') : placement);
  spec = { ...spec, time: { ...spec.time, mode: 'realtime', idle }, devices: spec.devices.map((d) => ({ ...d, placement: placed(d.module), adapter: d.adapter === 'terminal' ? (d.module === 'vga' ? 'headless' : 'none') : d.adapter })) };
  const m = await Machine.start(spec, { holdForInput: true });
  const mem = new Uint8Array(m.memory);
  const kbd = spec.devices.find((d) => d.module === 'i8042');
  if (!kbd) throw new Error(`${file} has no keyboard`);
  // The kernel is ready at its first idle hlt with interrupts on (however long booting took on a
  // busy host); then let it settle into idling.
  await firstValueFrom(m.ready$);
  m.releaseInput();
  await new Promise((r) => setTimeout(r, 500));
  const latencies: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const before = screenCount(mem, ch.charCodeAt(0));
    const t0 = performance.now();
    m.input(kbd.name, typeText(ch, 0, 1_000_000).events);
    let t1 = 0;
    while (performance.now() - t0 < 200) {
      if (screenCount(mem, ch.charCodeAt(0)) > before) {
        t1 = performance.now();
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
    if (t1) latencies.push((t1 - t0) * 1e6);
    await new Promise((r) => setTimeout(r, 20));
  }
  m.stop();
  await m.result;
  const s = summarize(latencies);
  return {
    name: `keystroke → glyph in VGA memory, realtime, devices ${placement === 'chipset-inline' ? 'inline, VGA on a worker' : placement}, time.idle: ${idle} (${latencies.length}/${KEYS} keys seen)`, unit: 'ns', median: s.median, p99: s.p99,
    target: '≤ 1 ms median', met: s.median <= 1e6 && latencies.length === KEYS,
  };
}

/** How many cells of the text screen hold character `code` (a new one means the glyph landed). */
function screenCount(mem: Uint8Array, code: number): number {
  let n = 0;
  for (let i = 0; i < 80 * 25; i++) if (mem[TEXT + 2 * i] === code) n++;
  return n;
}
