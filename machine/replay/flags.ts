// The run flags of the monitor and record/replay, checked as the others are (one paragraph, exit 2).
import { parseDuration } from '../config/units.js';
import { sentence, UsageError } from '../cli/usage.js';

export interface SessionFlags {
  /** --monitor stdio | tcp:127.0.0.1:PORT. */
  readonly monitor?: { readonly kind: 'stdio' } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };
  readonly record?: string;
  readonly replay?: string;
  /** --stop-at TIME (machine ns). */
  readonly stopAtNs?: number;
}

export function sessionFlags(values: { monitor?: string; record?: string; replay?: string; 'stop-at'?: string; input?: string; type?: string }): SessionFlags {
  let monitor: SessionFlags['monitor'];
  const m = values.monitor;
  if (m !== undefined) {
    const tcp = /^tcp:(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(m);
    if (m === 'stdio') monitor = { kind: 'stdio' };
    else if (tcp && Number(tcp[2]) <= 65535) monitor = { kind: 'tcp', host: tcp[1] === '[::1]' ? '::1' : tcp[1], port: Number(tcp[2]) };
    else throw new UsageError(`--monitor ${JSON.stringify(m)}: use --monitor stdio, or --monitor tcp:127.0.0.1:PORT (the monitor listens on this machine only; PORT 0 picks a free one and prints it).`);
  }
  for (const flag of ['record', 'replay'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a FILE name.`);
  }
  if (values.record !== undefined && values.replay !== undefined) throw new UsageError('--record and --replay cannot be used together: replay a recording, or record a new run.');
  if (values.replay !== undefined && (values.input !== undefined || values.type !== undefined)) {
    throw new UsageError(`--${values.input !== undefined ? 'input' : 'type'} cannot be used with --replay: a replay's input comes from its recording (${values.replay}).`);
  }
  let stopAtNs: number | undefined;
  if (values['stop-at'] !== undefined) {
    try {
      stopAtNs = parseDuration(values['stop-at']);
    } catch (err) {
      throw new UsageError(`--stop-at ${JSON.stringify(values['stop-at'])}: ${sentence((err as Error).message)} Write a machine time such as 1.5s or 250ms.`);
    }
    if (!(stopAtNs > 0)) throw new UsageError(`--stop-at ${JSON.stringify(values['stop-at'])}: the machine time must be more than zero, e.g. --stop-at 1.5s.`);
  }
  return { monitor, record: values.record, replay: values.replay, stopAtNs };
}
