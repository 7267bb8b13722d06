// `--web`: an HTTP server on 127.0.0.1 serving the page (web/), the renderer (the compiled
// devices/vga/adapters/raster.js) and the VGA font, and a WebSocket that carries the machine's
// frames, timeline events and status to every open tab. The first tab has the keyboard; input
// from any other is refused with a message. Closing a tab never stops the machine.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Frame } from '../../devices/vga/frame.js';
import { ScreenModel } from '../../devices/vga/screen.js';
import { KEY_NAMES, pressKey } from '../input/keymap.js';
import { terminalKeys } from '../input/terminal.js';
import type { Machine } from '../machine.js';
import { projectPath } from '../paths.js';
import { UsageError } from '../cli/usage.js';
import { vgaFontPath } from '../screenshot.js';
import { statusOf, timelineEvent, TimelineBatch, TIMELINE_KINDS } from './feed.js';
import type { ClientMessage, Role, ServerMessage } from './protocol.js';

/** Static files the page needs: URL path → [file, content type]. Nothing else is served. */
function files(): Record<string, [string, string]> {
  const web = (name: string, type: string): [string, string] => [projectPath('web', name), type];
  return {
    '/': web('index.html', 'text/html; charset=utf-8'),
    '/index.html': web('index.html', 'text/html; charset=utf-8'),
    '/app.js': web('app.js', 'text/javascript; charset=utf-8'),
    '/screen.js': web('screen.js', 'text/javascript; charset=utf-8'),
    '/timeline.js': web('timeline.js', 'text/javascript; charset=utf-8'),
    '/style.css': web('style.css', 'text/css; charset=utf-8'),
    '/lib/raster.js': [projectPath('dist', 'devices', 'vga', 'adapters', 'raster.js'), 'text/javascript; charset=utf-8'],
    '/font.bin': [vgaFontPath(), 'application/octet-stream'],
  };
}

/** Host ms between status messages and timeline batches. */
const TICK_MS = 100;

export interface WebAttach {
  readonly machine: Machine;
  /** The machine's name and time mode, shown on the page. */
  readonly name: string;
  readonly timeMode: string;
  /** The VGA device whose frames the page shows. */
  readonly vga?: string;
  /** The device that takes key input (its input() target), if the machine has one. */
  readonly keyboard?: string;
}

interface Client {
  readonly ws: WebSocket;
  readonly id: number;
}

export class WebView {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients: Client[] = [];
  private nextId = 1;
  private readonly screen = new ScreenModel();
  private readonly batch = new TimelineBatch();
  private attached: WebAttach | undefined;
  private readonly subs: Subscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ended: { t: number; why: string } | undefined;
  private readonly table = files();

  private constructor(private readonly server: Server, readonly port: number) {
    server.on('request', (req, res) => this.serve(req, res));
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** Listen on 127.0.0.1:port (0: a free port). A port in use is the user's to fix (UsageError). */
  static listen(port: number): Promise<WebView> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'is in use (another actorpc, or another server?)' : err.code === 'EACCES' ? 'may not be used by you (ports below 1024 need privileges)' : `cannot be used (${err.message})`;
        reject(new UsageError(`--web ${port}: port ${port} on 127.0.0.1 ${why}. Choose another PORT, or give --web without one for a free port.`));
      });
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        resolve(new WebView(server, typeof address === 'object' && address ? address.port : port));
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Feed the page from a running machine: frames, trace records, status. */
  attach(a: WebAttach): void {
    this.attached = a;
    const m = a.machine;
    this.subs.push(m.events$.subscribe((e) => {
      if (e.device !== a.vga || e.channel !== 'frame') return;
      const frame = e.payload as Frame;
      this.screen.apply(frame);
      this.broadcast({ type: 'frame', frame });
    }));
    this.subs.push(m.trace$.subscribe((r) => {
      if (!TIMELINE_KINDS.has(r.kind)) return;
      const e = timelineEvent(r);
      if (e) this.batch.add(e);
    }));
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    for (const c of this.clients) this.hello(c);
  }

  private tick(): void {
    if (!this.attached) return;
    const batch = this.batch.take();
    if (batch) this.broadcast({ type: 'trace', ...batch });
    this.broadcast({ type: 'status', ...statusOf(this.attached.machine.control) });
  }

  /** The machine stopped: last timeline events and status, then "end"; the page keeps its last picture. */
  end(t: number, why: string): void {
    if (this.ended) return;
    this.ended = { t, why };
    this.tick();
    this.broadcast({ type: 'end', t, why });
  }

  /** Close every tab's socket (after their pending messages) and the server. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.subs) s.unsubscribe();
    const closed = this.clients.map((c) => new Promise<void>((resolve) => {
      if (c.ws.readyState === WebSocket.CLOSED) return resolve();
      c.ws.once('close', () => resolve());
      c.ws.close(1001, 'the machine stopped');
    }));
    // A tab that does not answer the close handshake is not waited for long.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests must name this server as 127.0.0.1 or localhost (no DNS-rebinding visitors). */
  private hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host ?? '';
    return host === `127.0.0.1:${this.port}` || host === `localhost:${this.port}`;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    if (!this.hostAllowed(req)) return void res.writeHead(403).end('forbidden host\n');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const entry = this.table[path];
    if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    let body: Buffer;
    try {
      body = readFileSync(entry[0]);
    } catch {
      return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`${entry[0]} is missing (run npm run build)\n`);
    }
    res.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-store', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A browser always sends Origin on a WebSocket: only this server's own page may connect
    // (another site open in the same browser must not type into the machine).
    const origin = req.headers.origin;
    const ownOrigin = origin === undefined || origin === `http://127.0.0.1:${this.port}` || origin === `http://localhost:${this.port}`;
    if (!this.hostAllowed(req) || !ownOrigin || new URL(req.url ?? '/', 'http://x').pathname !== '/ws') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  private connected(ws: WebSocket): void {
    const client: Client = { ws, id: this.nextId++ };
    this.clients.push(client);
    ws.on('message', (data) => this.onMessage(client, data));
    ws.on('close', () => this.disconnected(client));
    ws.on('error', () => ws.terminate());
    if (this.attached) this.hello(client);
    if (this.ended) this.send(client, { type: 'end', ...this.ended });
  }

  private role(c: Client): Role {
    return this.clients[0] === c ? 'input' : 'viewer';
  }

  private hello(c: Client): void {
    const a = this.attached!;
    const s = this.screen;
    this.send(c, {
      type: 'hello', machine: a.name, time: a.timeMode, role: this.role(c), keyboard: a.keyboard !== undefined,
      screen: { t: s.t, cells: Array.from(s.cells), cursor: s.cursor, blink: s.blink, palette: s.palette, lineGraphics: s.lineGraphics },
    });
    this.send(c, { type: 'status', ...statusOf(a.machine.control) });
  }

  private disconnected(c: Client): void {
    const i = this.clients.indexOf(c);
    if (i < 0) return;
    this.clients.splice(i, 1);
    // The keyboard passes to the tab opened next.
    if (i === 0 && this.clients.length > 0 && !this.ended) this.send(this.clients[0], { type: 'role', role: 'input' });
  }

  private onMessage(c: Client, data: RawData): void {
    let m: ClientMessage;
    try {
      m = JSON.parse(data.toString()) as ClientMessage;
    } catch {
      return this.send(c, { type: 'refused', message: 'that message was not JSON; the page sends {type: "type", text} or {type: "key", key}' });
    }
    const a = this.attached;
    if (this.role(c) !== 'input') {
      return this.send(c, { type: 'refused', message: 'input refused: another tab has the keyboard (the first one opened). Type there, or close it to get the keyboard here.' });
    }
    if (!a || this.ended) return this.send(c, { type: 'refused', message: 'input refused: the machine has stopped' });
    if (!a.keyboard) return this.send(c, { type: 'refused', message: 'input refused: this machine has no keyboard' });
    if (m.type === 'type' && typeof m.text === 'string' && m.text.length <= 4096) {
      const keys = terminalKeys(m.text);
      if (keys.length) a.machine.input(a.keyboard, keys);
    } else if (m.type === 'key' && typeof m.key === 'string' && KEY_NAMES.includes(m.key)) {
      a.machine.input(a.keyboard, pressKey(m.key));
    } else {
      this.send(c, { type: 'refused', message: `input refused: unknown message ${JSON.stringify(m).slice(0, 80)}` });
    }
  }

  private send(c: Client, m: ServerMessage): void {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(m));
  }

  private broadcast(m: ServerMessage): void {
    if (this.clients.length === 0) return;
    const text = JSON.stringify(m);
    for (const c of this.clients) if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  }
}
