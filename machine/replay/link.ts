// The main thread's end of the host port (machine/replay/protocol.ts): monitor requests with
// their replies, host input on its way to be recorded, and the CPU's "parked" notices.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Subject } from 'rxjs';
import type { ControlBlock } from '../../bus/control.js';
import type { QueuedInput } from '../../bus/input-ring.js';
import { ATTENTION_HOST, C_ATTENTION_WORD, type FromCpu, type MonitorRequest, type Parked } from './protocol.js';

export class HostLink {
  private readonly channel = new MessageChannel();
  /** The CPU's end (transferred in its task). */
  readonly remote: MessagePort = this.channel.port2;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** The CPU parked on its own (--stop-at reached). */
  readonly parked$ = new Subject<Parked>();
  private closed = false;

  constructor(private readonly control: ControlBlock) {
    this.channel.port1.on('message', (m: FromCpu) => {
      if (m.type === 'parked') return this.parked$.next(m);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
    this.channel.port1.unref();
  }

  /** Ask the CPU (answered at its next poll, or at once while it is parked). */
  request(req: MonitorRequest): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the machine has stopped'));
    const id = ++this.nextId;
    const answer = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.channel.port1.ref(); // keep the process alive while an answer is due
    void answer.finally(() => { if (this.pending.size === 0) this.channel.port1.unref(); }).catch(() => {});
    this.channel.port1.postMessage({ type: 'monitor', id, req });
    this.knock();
    return answer;
  }

  /** Host input for device `index`, through the CPU (which records it). */
  input(index: number, events: readonly QueuedInput[]): void {
    if (this.closed) return;
    this.channel.port1.postMessage({ type: 'input', device: index, events });
    this.knock();
  }

  private knock(): void {
    Atomics.or(this.control.i32, C_ATTENTION_WORD, ATTENTION_HOST);
    this.control.wakeCpu();
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('the machine has stopped'));
    this.pending.clear();
    this.channel.port1.close();
    this.parked$.complete();
  }
}
