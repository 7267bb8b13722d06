// The monitor's commands (QEMU's human monitor, the subset a PC of this kind needs), on the main
// thread. Questions about the CPU and memory go to the CPU's session host (answered at its next
// poll, at once while it is stopped); device state comes from each device's core (snapshot) and
// is shown by its module's describe().
import type { DeviceState } from '../../bus/device.js';
import type { QueuedInput } from '../../bus/input-ring.js';
import { parseDuration } from '../config/units.js';
import { KEY_NAMES, strokeFor } from '../input/keymap.js';
import type { Machine } from '../machine.js';
import type { Gate, Registers } from './inspect.js';

export interface MonitorHost {
  readonly machine: Machine;
  /** screendump FILE: write the screen as PNG (absent: no display). */
  readonly screendump?: (file: string) => void;
  /** log-filter SPEC…: change the --log filter while running (absent: no --log). */
  readonly setLogFilter?: (specs: string[]) => void;
  /** quit: end the run. */
  readonly quit: () => void;
}

const hex = (v: number | null | undefined, width = 0): string => (v === null || v === undefined ? '??' : `0x${v.toString(16).padStart(width, '0')}`);
const seconds = (ns: number): string => `${(ns / 1e9).toFixed(9)}s`;

const INFO_KINDS: Record<string, string> = { pic: 'i8259', pit: 'i8254', kbd: 'i8042', uart: 'uart16550' };

export const MONITOR_HELP = `commands:
  stop | cont | step [N] | run-to TIME      hold the CPU, go on, N instructions, run to a machine time
  info registers|idt|gdt|tss|tlb|pic|pit|kbd|uart|irq|ports|devices|status
  x/Nfmt ADDR   xp/Nfmt ADDR                memory, virtual (page tables, no side effects) / physical;
                                            fmt: x d u c, size b h w g (e.g. x/4gx 0x1000)
  sendkey KEYS   e.g. sendkey a, sendkey shift-a, sendkey Return, sendkey ctrl-c
  screendump FILE.png | system_reset | log-filter SPEC... | quit | help`;

export class Monitor {
  constructor(private readonly host: MonitorHost) {}

  /** Run one command line; the reply text (may be several lines, never ends in a newline). */
  async run(line: string): Promise<string> {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return '';
    const [cmd, ...rest] = words;
    try {
      return await this.command(cmd, rest);
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  }

  private get link() {
    const l = this.host.machine.host;
    if (!l) throw new Error('this machine was started without a monitor session');
    return l;
  }

  private async command(cmd: string, args: string[]): Promise<string> {
    const m = this.host.machine;
    switch (cmd) {
      case 'help': case '?': return MONITOR_HELP;
      case 'stop': return where(await this.link.request({ op: 'stop' }));
      case 'cont': case 'c': return where(await this.link.request({ op: 'cont' }));
      case 'step': case 's': {
        const n = args[0] === undefined ? 1 : Number(args[0]);
        if (!Number.isInteger(n) || n < 1) throw new Error(`step ${args[0]}: give a number of instructions ≥ 1`);
        return where(await this.link.request({ op: 'step', n }));
      }
      case 'run-to': {
        if (!args[0]) throw new Error('run-to needs a machine time, e.g. run-to 1.5s');
        return where(await this.link.request({ op: 'run-to', t: parseDuration(args[0]) }));
      }
      case 'info': return this.info(args[0]);
      case 'sendkey': return this.sendkey(args[0]);
      case 'screendump': {
        if (!args[0]) throw new Error('screendump needs a FILE.png');
        if (!this.host.screendump) throw new Error('this machine has no display to dump');
        this.host.screendump(args[0]);
        return `screen written to ${args[0]}`;
      }
      case 'system_reset': return where(await this.link.request({ op: 'reset' }));
      case 'log-filter': {
        if (!this.host.setLogFilter) throw new Error('no --log to filter: start the run with --log FILE');
        this.host.setLogFilter(args);
        return args.length ? `log filter: ${args.join(' ')}` : 'log filter: every record';
      }
      case 'quit': case 'q':
        this.host.quit();
        return 'quitting';
      default: {
        const x = /^(xp?)(?:\/(\d*)([a-z]*))?$/.exec(cmd);
        if (x) return this.examine(x[1] === 'x', Number(x[2] || 1), x[3] ?? '', args[0]);
        void m;
        throw new Error(`unknown command "${cmd}"; "help" lists them`);
      }
    }
  }

  private async examine(virtual: boolean, count: number, fmt: string, addrText: string | undefined): Promise<string> {
    if (addrText === undefined) throw new Error(`${virtual ? 'x' : 'xp'} needs an address, e.g. ${virtual ? 'x' : 'xp'}/4gx 0x1000`);
    const addr = Number(addrText);
    if (!Number.isSafeInteger(addr) || addr < 0) throw new Error(`"${addrText}" is not an address (write 0x1000 or 4096)`);
    const size = fmt.includes('g') ? 8 : fmt.includes('w') ? 4 : fmt.includes('h') ? 2 : fmt.includes('b') || fmt.includes('c') ? 1 : 4;
    const base = fmt.includes('d') ? 'd' : fmt.includes('u') ? 'u' : fmt.includes('c') ? 'c' : 'x';
    const n = Math.min(count, 4096);
    const bytes = (await this.link.request({ op: 'mem', addr, len: n * size, virtual })) as Array<number | null>;
    const perLine = Math.max(1, 16 / size);
    const lines: string[] = [];
    for (let i = 0; i < n; i += perLine) {
      const cells: string[] = [];
      for (let j = i; j < Math.min(n, i + perLine); j++) {
        const part = bytes.slice(j * size, j * size + size);
        if (part.some((b) => b === null)) { cells.push('??'); continue; }
        let v = 0;
        for (let k = size - 1; k >= 0; k--) v = v * 256 + part[k]!;
        if (base === 'x') cells.push(hex(v, size * 2));
        else if (base === 'c') cells.push(JSON.stringify(String.fromCharCode(v)));
        else if (base === 'd' && v >= 2 ** (size * 8 - 1)) cells.push(String(v - 2 ** (size * 8)));
        else cells.push(String(v));
      }
      lines.push(`${hex(addr + i * size, 16)}: ${cells.join(' ')}`);
    }
    return lines.join('\n');
  }

  private async info(what: string | undefined): Promise<string> {
    const m = this.host.machine;
    switch (what) {
      case 'registers': return formatRegisters((await this.link.request({ op: 'registers' })) as Registers);
      case 'status': return where(await this.link.request({ op: 'status' }));
      case 'idt': {
        const gates = (await this.link.request({ op: 'idt' })) as Gate[] | string;
        if (typeof gates === 'string') return gates;
        return gates.map((g) => `${String(g.vector).padStart(3)}: ${hex(g.selector, 4)}:${hex(g.offset, 16)} ${g.type === 0xe ? 'interrupt' : g.type === 0xf ? 'trap' : `type ${g.type}`} gate dpl=${g.dpl} ist=${g.ist}`).join('\n') || 'no present gates';
      }
      case 'gdt': {
        const d = (await this.link.request({ op: 'gdt' })) as Array<{ index: number; selector: number; value: number | null }>;
        return d.map((e) => `${hex(e.selector, 4)}: ${hex(e.value, 16)}`).join('\n');
      }
      case 'tss': {
        const t = (await this.link.request({ op: 'tss' })) as { base: number; rsp: Array<number | null>; ist: Array<number | null> };
        return [`TSS at ${hex(t.base, 16)}`, ...t.rsp.map((v, i) => `rsp${i} ${hex(v, 16)}`), ...t.ist.map((v, i) => `ist${i + 1} ${hex(v, 16)}`)].join('\n');
      }
      case 'tlb': {
        const t = (await this.link.request({ op: 'tlb' })) as { entries: Array<{ page: number; frame: number; perm: number }>; total: number };
        const rows = t.entries.map((e) => `${hex(e.page, 16)} -> ${hex(e.frame, 12)} ${e.perm & 1 ? 'W' : '-'}${e.perm & 2 ? 'U' : '-'}${e.perm & 4 ? 'N' : '-'}${e.perm & 8 ? 'D' : '-'}`);
        return [`${t.total} entries${t.total > rows.length ? ` (first ${rows.length})` : ''}`, ...rows].join('\n');
      }
      case 'irq': {
        const lines = m.lineNames.map((name, i) => `${name.padEnd(16)} ${Atomics.load(m.lineLevels, i)}`);
        const counts: string[] = [];
        m.control.vectorCounts.forEach((c, v) => { if (c) counts.push(`v${v}:${c}`); });
        return [...lines, `interrupts delivered: ${counts.join(' ') || 'none'}`].join('\n');
      }
      case 'ports': {
        const rows = m.spec.devices.flatMap((d) => d.ports.map((p) => ({ base: p.base, text: `${hex(p.base, 4)}-${hex(p.base + p.size - 1, 4)} ${d.name}.${p.region}` })));
        return rows.sort((a, b) => a.base - b.base).map((r) => r.text).join('\n');
      }
      case 'devices': return (await Promise.all(m.spec.devices.map((d) => this.describe(d.name)))).join('\n');
      default: {
        const kind = what ? INFO_KINDS[what] : undefined;
        if (!kind) throw new Error(`info ${what ?? ''}: one of registers, idt, gdt, tss, tlb, pic, pit, kbd, uart, irq, ports, devices, status`);
        const names = m.spec.devices.filter((d) => m.modules.get(d.name)?.kind === kind).map((d) => d.name);
        if (names.length === 0) return `no ${kind} in this machine`;
        return (await Promise.all(names.map((n) => this.describe(n)))).join('\n');
      }
    }
  }

  /** One device: its name, kind and placement, then its module's describe() of its state (or the state as JSON). */
  private async describe(name: string): Promise<string> {
    const m = this.host.machine;
    const spec = m.spec.devices.find((d) => d.name === name)!;
    const module = m.modules.get(name)!;
    let state: DeviceState | undefined;
    try {
      state = await m.deviceState(name);
    } catch (err) {
      return `${name} (${module.kind}): state not available (${(err as Error).message})`;
    }
    const head = `${name} (${module.kind}, ${spec.placement === 'worker' ? `worker ${spec.worker ?? name}` : 'inline'})`;
    if (state === undefined) return `${head}: no state`;
    let body: string;
    try {
      body = module.describe ? module.describe(state) : JSON.stringify(state);
    } catch (err) {
      body = `describe() failed: ${(err as Error).message}; state ${JSON.stringify(state)}`;
    }
    return `${head}\n  ${body.split('\n').join('\n  ')}`;
  }

  private sendkey(spec: string | undefined): string {
    if (!spec) throw new Error('sendkey needs keys, e.g. sendkey a, sendkey shift-a, sendkey ctrl-c');
    const m = this.host.machine;
    const kbd = m.spec.devices.find((d) => m.modules.get(d.name)?.input === 'keyboard');
    if (!kbd) throw new Error('this machine has no keyboard');
    if (m.replaying) throw new Error('this machine is replaying a recording: its keys come from the recording, so sendkey is refused');
    const keys = spec.split('-').map(keyName);
    const events: QueuedInput[] = [];
    let t = 0;
    for (const k of keys) events.push({ key: k, down: true, delay: (t += 1_000_000) });
    for (const k of [...keys].reverse()) events.push({ key: k, down: false, delay: (t += 1_000_000) });
    m.input(kbd.name, events);
    return `sent ${keys.join('+')}`;
  }
}

const QEMU_KEYS: Record<string, string> = {
  shift: 'LShift', shift_r: 'RShift', ctrl: 'LControl', ctrl_r: 'RControl', alt: 'LAlt', ret: 'Return', enter: 'Return',
  spc: 'Spacebar', space: 'Spacebar', esc: 'Escape', tab: 'Tab', backspace: 'Backspace', up: 'ArrowUp', down: 'ArrowDown',
  left: 'ArrowLeft', right: 'ArrowRight', delete: 'Delete', home: 'Home', end: 'End', pgup: 'PageUp', pgdn: 'PageDown',
};

function keyName(word: string): string {
  if (KEY_NAMES.includes(word)) return word;
  const q = QEMU_KEYS[word.toLowerCase()];
  if (q) return q;
  if (/^f\d{1,2}$/i.test(word) && KEY_NAMES.includes(word.toUpperCase())) return word.toUpperCase();
  if (word.length === 1) {
    const s = strokeFor(word.toLowerCase());
    if (s) return s.key;
  }
  throw new Error(`sendkey: no key "${word}" (QEMU names such as shift, ctrl, ret, spc, or pc-keyboard names such as A, Key1, Return)`);
}

function where(v: unknown): string {
  const p = v as { t: number; icount: number; rip: number; why: string } | undefined;
  if (!p) return 'ok';
  return `${p.why} at t=${seconds(p.t)} icount=${p.icount} rip=${hex(p.rip, 16)}`;
}

function formatRegisters(r: Registers): string {
  return [
    `RIP=${hex(r.rip, 16)} RSP=${hex(r.rsp, 16)} RFLAGS=${hex(r.rflags, 8)} [IF=${(r.rflags >> 9) & 1}]`,
    `CS=${hex(r.cs, 4)} SS=${hex(r.ss, 4)} TR=${hex(r.tr, 4)} CPL=${r.cpl}`,
    `CR0=${hex(r.cr0 >>> 0, 8)} CR2=${hex(r.cr2, 16)} CR3=${hex(r.cr3, 16)} CR4=${hex(r.cr4, 8)} EFER=${hex(r.efer, 8)}`,
    `GDT=${hex(r.gdtr.base, 16)} ${hex(r.gdtr.limit, 4)}  IDT=${hex(r.idtr.base, 16)} ${hex(r.idtr.limit, 4)}  TSS=${hex(r.tssBase, 16)}`,
    `t=${seconds(r.t)} icount=${r.icount}`,
  ].join('\n');
}
