// Where the monitor listens: stdin/stdout (--monitor stdio) or a TCP port on this machine
// (--monitor tcp:127.0.0.1:PORT; port 0 picks a free one). Lines in, replies out, each followed
// by the prompt; a connection's commands run one after the other.
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Monitor } from './monitor.js';

export const PROMPT = '(actorpc) ';
const BANNER = 'actorpc monitor - type "help" for commands';

function serveStream(monitor: Monitor, input: Readable, output: Writable): () => void {
  output.write(`${BANNER}\n${PROMPT}`);
  const rl = createInterface({ input, terminal: false });
  let chain = Promise.resolve();
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      const reply = await monitor.run(line);
      if (output.writable) output.write(`${reply ? `${reply}\n` : ''}${PROMPT}`);
    });
  });
  return () => rl.close();
}

export interface MonitorEndpoint {
  /** tcp: the port it listens on. */
  readonly port?: number;
  close(): void;
  /** Text for anything the CPU says on its own (--stop-at reached). */
  notify(text: string): void;
}

export function serveStdio(monitor: Monitor, input: Readable = process.stdin, output: Writable = process.stdout): MonitorEndpoint {
  const close = serveStream(monitor, input, output);
  return { close, notify: (text) => output.write(`\n${text}\n${PROMPT}`) };
}

export async function serveTcp(monitor: Monitor, host: string, port: number): Promise<MonitorEndpoint> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    serveStream(monitor, socket, socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => {
      for (const s of sockets) s.end();
      server.close();
    },
    notify: (text) => { for (const s of sockets) s.write(`\n${text}\n${PROMPT}`); },
  };
}
