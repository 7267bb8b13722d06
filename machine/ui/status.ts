// The status line under the screen: machine time, CPU state, interrupts per vector, IRQ edges
// coalesced (realtime only: shown even at 0, so "no tick lost" is visible; virtual time never
// coalesces and leaves it out), keys.
import { CpuState } from '../../bus/control.js';
import type { MachineSpec } from '../config/spec.js';
import type { Machine } from '../machine.js';

/** The CPU's state as the status line and the web view name it. */
export const CPU_STATE_TEXT: Readonly<Record<CpuState, string>> = {
  [CpuState.Booting]: 'booting',
  [CpuState.Running]: 'running',
  [CpuState.Halted]: 'hlt',
  [CpuState.IdleForever]: 'idle for good (IF=0)',
  [CpuState.Stopped]: 'stopped',
};

export function statusLine(m: Pick<Machine, 'control'>, spec: Pick<MachineSpec, 'name' | 'time'> & { cpu?: MachineSpec['cpu'] }): string {
  const c = m.control;
  const irqs: string[] = [];
  for (let v = 0; v < 256; v++) {
    const n = c.vectorCounts[v];
    if (n) irqs.push(`v${v}:${n}`);
  }
  return [
    ` ${spec.name}`,
    `t=${(c.now / 1e9).toFixed(3)}s`,
    `${spec.time.mode}`,
    CPU_STATE_TEXT[c.cpuState] ?? '?',
    // Guest threads (cpu.threads): which host thread holds the CPU, and switches so far.
    ...(spec.cpu?.threads ? [`thread ${c.thread} · ${c.switches} switches`] : []),
    irqs.length ? `ints ${irqs.join(' ')}` : 'no interrupts yet',
    ...(spec.time.mode === 'realtime' ? [`coalesced ${c.coalesced}`] : []),
    'Ctrl-A X quit',
  ].join(' │ ');
}
