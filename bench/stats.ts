// Percentiles and the results table/JSON every bench shares.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface Summary { median: number; p99: number; n: number }

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { median: percentile(s, 50), p99: percentile(s, 99), n: s.length };
}

export interface BenchRow {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly p99?: number;
  /** Baseline measured in the same run, and the target for figure/baseline or the absolute figure. */
  readonly baseline?: { name: string; median: number };
  readonly target?: string;
  readonly met?: boolean;
}

export function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (unit === 'ns') return v >= 1e6 ? `${(v / 1e6).toFixed(2)} ms` : v >= 1e3 ? `${(v / 1e3).toFixed(2)} µs` : `${v.toFixed(1)} ns`;
  if (unit === 'ms') return `${v.toFixed(1)} ms`;
  if (unit === 'IRQ/s') return `${Math.round(v).toLocaleString('en-US')} /s`;
  return `${v.toFixed(2)} ${unit}`;
}

export function printTable(rows: readonly BenchRow[]): void {
  const lines = rows.map((r) => [
    r.name,
    fmt(r.median, r.unit),
    fmt(r.p99, r.unit),
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.median, r.unit)} (×${(r.median / r.baseline.median).toFixed(2)})` : '-',
    r.target ?? '-',
    r.met === undefined ? '-' : r.met ? 'met' : 'MISSED',
  ]);
  const head = ['measurement', 'median', 'p99', 'baseline (same run)', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(row(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
}

export function writeResults(name: string, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): string {
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ node: process.version, date: new Date().toISOString(), ...extra, rows }, null, 2) + '\n');
  return file;
}
