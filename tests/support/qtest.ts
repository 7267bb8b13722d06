// A qtest client for tests: runs the real `actorpc qtest FILE` (compiled; build first) with piped
// stdin/stdout and converses with it a command at a time, as libqtest does.
import { afterEach, expect } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ROOT } from './cli.js';

export interface Answer {
  /** The reply: "OK", "OK 0x01", "FAIL reason". */
  readonly reply: string;
  /** Asynchronous IRQ lines that came before the reply. */
  readonly irqs: string[];
}

export class QtestSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending = '';
  private irqs: string[] = [];
  /** Lines that came when no command was waiting (there should be none). */
  readonly unexpected: string[] = [];
  private waiting: Array<(a: Answer) => void> = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[] = ['config/pc.yaml']) {
    this.child = spawn(process.execPath, ['bin/actorpc.js', 'qtest', ...args], { cwd: ROOT });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => { this.stderr += chunk; });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Send one command line and wait for its reply (and the IRQ lines before it). */
  cmd(line: string): Promise<Answer> {
    const answer = new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to "${line}" within 10 s; stderr: ${this.stderr}`)), 10_000);
      this.waiting.push((a) => { clearTimeout(timer); resolve(a); });
    });
    this.child.stdin.write(line + '\n');
    return answer;
  }

  /** Send commands in order and return their replies (the IRQ lines dropped). */
  async send(...lines: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const l of lines) out.push((await this.cmd(l)).reply);
    return out;
  }

  /** End the input (EOF) and wait for the process to exit. */
  async close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }

  private receive(chunk: string): void {
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (line.startsWith('IRQ ')) {
        this.irqs.push(line);
        continue;
      }
      const answer = { reply: line, irqs: this.irqs };
      this.irqs = [];
      const waiter = this.waiting.shift();
      if (waiter) waiter(answer);
      else this.unexpected.push(line);
    }
  }
}

/**
 * One qtest session per test: `open()` starts it, and after each test it is closed and must
 * have ended with status 0.
 */
export function qtestSessions(): () => QtestSession {
  let session: QtestSession | undefined;
  afterEach(async () => {
    if (session) expect(await session.close()).toBe(0);
    session = undefined;
  });
  return () => (session = new QtestSession());
}
