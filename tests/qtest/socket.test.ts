// `actorpc qtest --socket PATH` and the ways a session ends: the client's end of input, signals,
// a killed session's socket left behind, a path someone else listens on.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ROOT } from '../support/cli.js';
import { QtestSession, runQtest } from '../support/qtest.js';
import { tempDirs } from '../support/temp.js';
import { reaped } from '../support/children.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

interface Served {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stderr: () => string;
  /** Exit status, or 128 + n when signal n killed it unhandled (reported as `signal`). */
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

const temp = tempDirs('actorpc-qtest-');

function socketPath(): string {
  return join(temp.make(), 'qtest.sock');
}

/** Start `actorpc qtest config/pc.yaml --socket PATH`; resolves once it says it listens. */
async function serve(path: string): Promise<Served> {
  const child = reaped(spawn(process.execPath, ['bin/actorpc.js', 'qtest', 'config/pc.yaml', '--socket', path], { cwd: ROOT }));
  let stderr = '';
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal })));
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (stderr.includes('listening')) resolve(); });
    void exited.then(() => reject(new Error(`exited before listening: ${stderr}`)));
  });
  expect(stderr).toBe(`actorpc: qtest listening on ${path}\n`);
  return { child, stderr: () => stderr, exited };
}

/** Connect, send `text`, end our side, and return everything received until the server closes. */
function talk(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let received = '';
    socket.setEncoding('utf8').on('data', (d: string) => { received += d; });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.end(text);
  });
}

describe('actorpc qtest --socket', () => {
  it('serves one client: every command sent before it closes its side is answered, then the session ends and the path is removed', async () => {
    const path = socketPath();
    const server = await serve(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(await talk(path, 'outb 0x21 0x42\ninb 0x21\nclock_step 1000\n')).toBe('OK\nOK 0x42\nOK 1000\n');
    expect(await server.exited).toEqual({ status: 0, signal: null });
    expect(existsSync(path)).toBe(false);
  });

  it('SIGINT while waiting for a client ends the session: status 130, the socket removed', async () => {
    const path = socketPath();
    const server = await serve(path);
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ status: 130, signal: null });
    expect(existsSync(path)).toBe(false);
  });

  it('SIGTERM during a client session ends it: status 143, the socket removed', async () => {
    const path = socketPath();
    const server = await serve(path);
    const client = connect(path);
    const first = new Promise<string>((resolve) => client.setEncoding('utf8').once('data', resolve));
    client.on('error', () => {});
    client.write('inb 0x21\n');
    expect(await first).toBe('OK 0x00\n');
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ status: 143, signal: null });
    expect(existsSync(path)).toBe(false);
    client.destroy();
  });

  it('a socket left by a killed session is replaced: the next session listens there', async () => {
    const path = socketPath();
    const killed = await serve(path);
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    expect(lstatSync(path).isSocket()).toBe(true); // nobody could remove it
    const next = await serve(path);
    expect(await talk(path, 'outb 0x21 0x17\ninb 0x21\n')).toBe('OK\nOK 0x17\n');
    expect((await next.exited).status).toBe(0);
  });

  it('a path a live session listens on is refused with status 2, and that session goes on undisturbed', async () => {
    const path = socketPath();
    const first = await serve(path);
    const second = await runQtest('', ['config/pc.yaml', '--socket', path]);
    expect(second.status).toBe(2);
    expect(second.stderr).toBe(`actorpc: --socket ${path}: something is listening on that socket (another actorpc qtest session?). Stop it, or choose another path.\n`);
    expect(await talk(path, 'inb 0x21\n')).toBe('OK 0x00\n');
    expect((await first.exited).status).toBe(0);
  });

  it('a path that is not a socket is refused with status 2 and left alone', async () => {
    const path = socketPath();
    writeFileSync(path, 'keep me');
    const r = await runQtest('', ['config/pc.yaml', '--socket', path]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`actorpc: --socket ${path}: that path exists and is not a socket. Remove it or choose another path.\n`);
    expect(lstatSync(path).isFile()).toBe(true);
  });
});

describe('actorpc qtest: signals', () => {
  it('SIGINT during a stdin session stops it: status 130, not killed by the signal', async () => {
    const s = new QtestSession();
    expect((await s.cmd('inb 0x21')).reply).toBe('OK 0x00');
    s.kill('SIGINT');
    expect(await s.exited).toBe(130);
    expect(s.signal).toBeNull();
  });
});
