// Command-line parsing for `actorpc`.
import { parseArgs } from 'node:util';
import { parseDuration, UnitError } from '../config/units.js';
import { parseLogFilter, type TraceFilter } from '../log-filter.js';
import { UsageError } from './usage.js';

export interface RunArgs {
  readonly command: 'run' | 'check' | 'help' | 'qtest' | 'test';
  /** test: the suites to run (all when empty). */
  readonly suites?: readonly string[];
  readonly file?: string;
  readonly headless: boolean;
  readonly time?: 'realtime' | 'virtual';
  readonly until?: string;
  readonly timeoutNs?: number;
  readonly forNs?: number;
  readonly screen?: string;
  readonly log?: string;
  readonly logFilter: TraceFilter;
  readonly pretty: boolean;
  readonly printConfig: boolean;
  /** Text to type once the kernel is ready. */
  readonly type?: string;
  /** An input script (YAML/JSON timeline). */
  readonly input?: string;
  /** qtest: serve the protocol on this Unix socket instead of stdin/stdout. */
  readonly socket?: string;
}

const OPTIONS = {
  headless: { type: 'boolean' },
  time: { type: 'string' },
  until: { type: 'string' },
  timeout: { type: 'string' },
  for: { type: 'string' },
  screen: { type: 'string' },
  log: { type: 'string' },
  'log-filter': { type: 'string', multiple: true },
  pretty: { type: 'boolean' },
  'print-config': { type: 'boolean' },
  type: { type: 'string' },
  input: { type: 'string' },
  socket: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    const ns = parseDuration(text);
    if (ns <= 0) throw new UnitError(`must be more than zero`, "");
    return ns;
  } catch (err) {
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: ${(err as Error).message}. Write a duration such as 5s, 250ms or 1.5s.`);
  }
}

export function parseCommandLine(argv: readonly string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Run "actorpc help" for the options.`);
  }
  const { values, positionals } = parsed;
  const [command = 'help', file, ...extra] = positionals;
  if (values.help || command === 'help') return { command: 'help', headless: false, logFilter: parseLogFilter([]), pretty: false, printConfig: false };
  if (command === 'test') {
    const other = Object.keys(values).filter((k) => k !== 'timeout' && (values as Record<string, unknown>)[k] !== undefined);
    if (other.length) throw new UsageError(`--${other[0]} does not apply to "actorpc test": its only option is --timeout DURATION (machine time per suite, default 300s).`);
    return {
      command: 'test', suites: positionals.slice(1), headless: true, timeoutNs: duration('timeout', values.timeout),
      logFilter: parseLogFilter([]), pretty: false, printConfig: false,
    };
  }
  if (command !== 'run' && command !== 'check' && command !== 'qtest') {
    throw new UsageError(`unknown command "${command}". Use "actorpc run FILE" to boot a machine, "actorpc check FILE" to validate one, "actorpc test" to run the kernel's test suites, or "actorpc qtest FILE" to drive its devices with qtest commands.`);
  }
  if (!file) throw new UsageError(`"actorpc ${command}" needs a machine file, e.g. "actorpc ${command} config/default.yaml".`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" after ${file}: give one machine file; quote TEXT that has spaces.`);
  if (values.time !== undefined && values.time !== 'realtime' && values.time !== 'virtual') {
    throw new UsageError(`--time ${JSON.stringify(values.time)}: use --time realtime or --time virtual.`);
  }
  if (values.until !== undefined && values.until === '') throw new UsageError('--until needs a non-empty TEXT to wait for.');
  const given = (flags: readonly string[]) => flags.filter((f) => (values as Record<string, unknown>)[f] !== undefined);
  if (command === 'qtest') {
    const runOnly = given(['headless', 'time', 'until', 'timeout', 'for', 'screen', 'type', 'input', 'print-config']);
    if (runOnly.length) throw new UsageError(`--${runOnly[0]} does not apply to "actorpc qtest": the protocol drives the machine (time is virtual and moves only on clock_step / clock_set). Its options: --socket PATH, --log FILE, --log-filter SPEC, --pretty.`);
    if (values.socket === '') throw new UsageError('--socket needs the PATH of a Unix socket to listen on.');
  } else if (values.socket !== undefined) {
    throw new UsageError(`--socket applies to "actorpc qtest" only: "actorpc qtest ${file} --socket PATH".`);
  }
  return {
    command,
    file,
    headless: values.headless ?? false,
    time: values.time as RunArgs['time'],
    until: values.until,
    timeoutNs: duration('timeout', values.timeout),
    forNs: duration('for', values.for),
    screen: values.screen,
    log: values.log,
    logFilter: parseLogFilter(values['log-filter'] ?? []),
    pretty: values.pretty ?? false,
    printConfig: values['print-config'] ?? false,
    type: values.type,
    input: values.input,
    socket: values.socket,
  };
}
