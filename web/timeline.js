// The live IRQ timeline: the last WINDOW ns of machine time, one row per IRQ line (its level
// over time, each edge marked) and one per interrupt vector (handler spans from entry to
// iretq, nested ones darker). Traces without cpu.iret (older machines) show handler entries
// as ticks.

const ROW_H = 18;
const LABEL_W = 120;
const PLOT_W = 720;

export class Timeline {
  /** @param {HTMLCanvasElement} canvas @param {number} windowNs */
  constructor(canvas, windowNs) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.windowNs = windowNs;
    /** line name → { before: level at the window's start, edges: [{t, state}] } */
    this.lines = new Map();
    /** vector → { spans: [{start, end, depth}], ticks: [t], open: [{start, depth}] } */
    this.vectors = new Map();
    this.hasIret = false;
    this.coalesced = 0;
    this.dropped = 0;
    this.now = 0;
  }

  vector(v) {
    let row = this.vectors.get(v);
    if (!row) this.vectors.set(v, (row = { spans: [], ticks: [], open: [] }));
    return row;
  }

  /** Timeline events from the server (machine/web/protocol.ts TimelineEvent). */
  add(events, dropped) {
    this.dropped += dropped;
    for (const e of events) {
      if (e.t > this.now) this.now = e.t;
      if (e.k === 'edge') {
        let row = this.lines.get(e.line);
        if (!row) this.lines.set(e.line, (row = { before: 0, edges: [] }));
        row.edges.push({ t: e.t, state: e.state });
      } else if (e.k === 'int') {
        const row = this.vector(e.vector);
        row.open.push({ start: e.t, depth: e.depth ?? 1 });
        if (!this.hasIret) row.ticks.push(e.t);
      } else if (e.k === 'iret') {
        this.hasIret = true;
        const row = this.vector(e.vector);
        row.open.pop();
        row.spans.push({ start: e.t - e.duration, end: e.t, depth: e.depth ?? 1 });
      } else if (e.k === 'coalesced') {
        this.coalesced += e.count;
      }
    }
  }

  /** Move the window's end to machine time t and forget what fell out of it. */
  advance(t) {
    if (t > this.now) this.now = t;
    const from = this.now - this.windowNs;
    for (const row of this.lines.values()) {
      let i = 0;
      while (i < row.edges.length && row.edges[i].t < from) row.before = row.edges[i++].state;
      if (i) row.edges.splice(0, i);
    }
    for (const row of this.vectors.values()) {
      row.spans = row.spans.filter((s) => s.end >= from);
      row.ticks = row.ticks.filter((x) => x >= from);
      if (row.open.length > 64) row.open.splice(0, row.open.length - 64); // handlers that never return (a panic)
    }
  }

  /** The rows as shown: label, kind, and how many events each has in the window. */
  rows() {
    const out = [];
    for (const name of [...this.lines.keys()].sort(byNatural)) {
      const row = this.lines.get(name);
      out.push({ label: name, kind: 'line', events: row.edges.length, level: row.edges.length ? row.edges[row.edges.length - 1].state : row.before });
    }
    for (const v of [...this.vectors.keys()].sort((a, b) => a - b)) {
      const row = this.vectors.get(v);
      out.push({ label: `v${v} handler`, kind: 'handler', events: row.spans.length + row.ticks.length, open: row.open.length });
    }
    return out;
  }

  draw() {
    const rows = this.rows();
    const height = Math.max(1, rows.length) * ROW_H + 16;
    if (this.canvas.height !== height) this.canvas.height = height;
    if (this.canvas.width !== LABEL_W + PLOT_W) this.canvas.width = LABEL_W + PLOT_W;
    const g = this.ctx;
    g.fillStyle = '#111';
    g.fillRect(0, 0, this.canvas.width, height);
    g.font = '12px monospace';
    g.textBaseline = 'middle';
    const from = this.now - this.windowNs;
    const x = (t) => LABEL_W + Math.max(0, Math.min(PLOT_W, ((t - from) / this.windowNs) * PLOT_W));
    rows.forEach((r, i) => {
      const y = i * ROW_H;
      g.fillStyle = '#bbb';
      g.fillText(r.label, 4, y + ROW_H / 2);
      if (r.kind === 'line') this.drawLine(this.lines.get(r.label), y, x);
      else this.drawHandler(this.vectors.get(Number(r.label.slice(1, r.label.indexOf(' ')))), y, x);
    });
    g.fillStyle = '#888';
    const axis = rows.length * ROW_H + 8;
    g.fillText(`-${(this.windowNs / 1e9).toFixed(1)} s`, LABEL_W, axis);
    g.fillText('now', LABEL_W + PLOT_W - 28, axis);
    if (this.dropped || this.coalesced) g.fillText(`${this.dropped ? `${this.dropped} events not shown (too many)` : ''} ${this.coalesced ? `${this.coalesced} edges coalesced` : ''}`, LABEL_W + 80, axis);
  }

  drawLine(row, y, x) {
    const g = this.ctx;
    const high = y + 3;
    const low = y + ROW_H - 3;
    let level = row.before;
    let t0 = this.now - this.windowNs;
    g.fillStyle = '#2a6';
    for (const e of [...row.edges, { t: this.now, state: -1 }]) {
      if (level) g.fillRect(x(t0), high, Math.max(1, x(e.t) - x(t0)), low - high);
      if (e.state >= 0) {
        g.fillRect(x(e.t), high - 1, 1, low - high + 2); // the edge itself
        level = e.state;
        t0 = e.t;
      }
    }
    g.fillStyle = '#333';
    g.fillRect(LABEL_W, low, PLOT_W, 1);
  }

  drawHandler(row, y, x) {
    const g = this.ctx;
    for (const s of row.spans) {
      g.fillStyle = s.depth > 1 ? '#a60' : '#fa3';
      g.fillRect(x(s.start), y + 4, Math.max(2, x(s.end) - x(s.start)), ROW_H - 8);
    }
    for (const o of this.hasIret ? row.open : []) {
      g.fillStyle = '#f55';
      g.fillRect(x(o.start), y + 4, Math.max(2, x(this.now) - x(o.start)), ROW_H - 8);
    }
    g.fillStyle = '#fa3';
    for (const t of row.ticks) g.fillRect(x(t), y + 3, 2, ROW_H - 6);
  }
}

function byNatural(a, b) {
  return a.localeCompare(b, 'en', { numeric: true });
}
