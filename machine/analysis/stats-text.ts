// --stats as text (stderr, after the run): tables in the spirit of QEMU's `info irq` / `info pic`,
// hardware values in hex, times as short durations of machine time.
import type { Distribution, IrqReport } from './irq-stats.js';
import { hex, showNs } from './numbers.js';

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, left = 1): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    '  ' + cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function dist(d: Distribution): string {
  return d.count ? `${showNs(d.p50)} / ${showNs(d.p99)} / ${showNs(d.max)}` : '—';
}

export function statsText(r: IrqReport, title: string): string {
  const out: string[] = [`actorpc stats: ${title}, ${showNs(r.t)} of machine time, ${r.records} trace records`];
  out.push('IRQ lines (latency: device edge → handler entry, p50 / p99 / max)');
  out.push(...table(['line', 'vector', 'raised', 'delivered', 'coalesced', 'EOIs', 'latency'],
    r.lines.map((l) => [l.line, l.vector === undefined ? '—' : hex(l.vector), String(l.raised), String(l.delivered), String(l.coalesced), String(l.eois), dist(l.latency)])));
  out.push('vectors (handler time: entry → iretq, p50 / p99 / max; open: entered, never returned)');
  out.push(...table(['vector', 'handler', 'entered', 'INTA', 'exceptions', 'spurious', 'handler time', 'open'],
    r.vectors.map((v) => [hex(v.vector), v.handler ?? '—', String(v.entered), String(v.external), String(v.exceptions), String(v.spurious), dist(v.handlerTime), String(v.unreturned)]), 2));
  out.push(`coalesced edges (lost to host lag): ${r.coalescedTotal}`);
  const switches = r.cpu.switches ? `, ${r.cpu.switches} context switches between ${r.cpu.threads} guest threads` : '';
  out.push(`CPU: INTR raised ${r.cpu.intrRaised} times, ${showNs(r.cpu.inHandlers)} in handlers, ${showNs(r.cpu.halted)} halted${switches}`);
  out.push(r.unclaimed.length
    ? `unclaimed ports (first access of each; reads return all ones): ${r.unclaimed.map((u) => `${hex(u.port)} ${u.dir}/${u.size}`).join(', ')}`
    : 'unclaimed ports: none');
  out.push('actors (requests served, as the trace shows them)');
  out.push(...table(['actor', 'port reads', 'port writes', 'INTAs', 'input changes', 'records'],
    r.actors.map((a) => [a.actor, String(a.reads), String(a.writes), String(a.intas), String(a.inputChanges), String(a.records)])));
  if (r.host) {
    out.push('host time per actor (measured on this host, differs run to run; device calls sampled 1 in 256)');
    out.push(...table(['actor', 'calls served', 'host time'],
      [
        [r.host.threadMs ? 'cpu (boot thread)' : 'cpu', '—', `${r.host.cpuMs.toFixed(1)} ms`],
        ...(r.host.threadMs ?? []).map((ms, i) => [`cpu thread ${i + 1}`, '—', `${ms.toFixed(1)} ms`]),
        ...r.host.devices.map((d) => [d.device, String(d.calls), `${d.hostMs.toFixed(1)} ms`]),
      ]));
  }
  return out.join('\n') + '\n';
}
