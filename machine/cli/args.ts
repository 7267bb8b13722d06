// Command-line parsing for `actorpc`. Light on purpose: `actorpc help` and `--version` load only
// this file, usage.ts and what they import (no zod, yaml, rxjs or machine).
import { parseArgs } from 'node:util';
import { parseDuration, UnitError } from '../config/units.js';
import { parseLogFilter, type TraceFilter } from '../log-filter.js';
import { closest, didYouMean } from '../config/suggest.js';
import { sentence, UsageError } from './usage.js';

export interface RunArgs {
  readonly command: 'run' | 'check' | 'help' | 'version' | 'qtest' | 'test';
  /** help: asked for (status 0, stdout) or given for want of a command (status 2, stderr). */
  readonly asked?: boolean;
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
  version: { type: 'boolean', short: 'V' },
} as const;

const OPTION_NAMES = Object.keys(OPTIONS);
const TAKES_VALUE = new Set(OPTION_NAMES.filter((k) => OPTIONS[k as keyof typeof OPTIONS].type === 'string'));

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const fix = 'Write a duration such as 5s, 250ms or 1.5s.';
  const negative = /^\s*-/.test(text);
  let ns: number;
  try {
    ns = parseDuration(negative ? text.replace(/^\s*-/, '') : text);
  } catch (err) {
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: ${sentence((err as Error).message)} ${err instanceof UnitError ? err.hint : fix}`);
  }
  if (negative || ns <= 0) throw new UsageError(`--${flag} ${JSON.stringify(text)}: the duration must be more than zero. ${fix}`);
  return ns;
}

/**
 * `--for -1s` is "--for" with the value "-1s", as getopt reads it: a string option always takes
 * the next argument, so join the pair before parseArgs (which refuses values starting with "-").
 */
function joinValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = /^--([^=]+)$/.exec(a)?.[1];
    if (name && TAKES_VALUE.has(name) && i + 1 < argv.length) out.push(`${a}=${argv[++i]}`);
    else out.push(a);
  }
  return out;
}

/** parseArgs' error text → one sentence naming the option and the fix. */
function optionError(err: Error & { code?: string }, argv: readonly string[]): UsageError {
  const help = 'Run "actorpc help" for the options.';
  const quoted = /'(-[^']*)'/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) {
    const best = closest(quoted.replace(/^-+/, '').replace(/=.*$/, ''), OPTION_NAMES);
    return new UsageError(`unknown option ${quoted}${best ? `; did you mean --${best}?` : '.'} ${help}`);
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
    const flag = quoted.split(' ')[0];
    if (/argument missing/.test(err.message)) return new UsageError(`${flag} needs a value, e.g. ${flag} ${flag === '--for' || flag === '--timeout' ? '5s' : 'VALUE'}. ${help}`);
    const given = argv.find((a) => a === flag || a.startsWith(`${flag}=`));
    return new UsageError(`${flag} takes no value${given?.includes('=') ? ` (remove "=${given.split('=').slice(1).join('=')}")` : ''}. ${help}`);
  }
  return new UsageError(`${sentence(err.message.split('\n')[0])} ${help}`);
}

const defaults = { headless: false, logFilter: parseLogFilter([]), pretty: false, printConfig: false };

export function parseCommandLine(argv: readonly string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: joinValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw optionError(err as Error, argv);
  }
  const { values, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if (values.version || command === 'version') return { command: 'version', ...defaults };
  if (values.help || command === 'help') return { command: 'help', asked: true, ...defaults };
  if (command === undefined) return { command: 'help', asked: false, ...defaults };
  if (command === 'test') {
    const other = Object.keys(values).filter((k) => k !== 'timeout' && (values as Record<string, unknown>)[k] !== undefined);
    if (other.length) throw new UsageError(`--${other[0]} does not apply to "actorpc test": its only option is --timeout DURATION (machine time per suite, default 300s).`);
    return { ...defaults, command: 'test', suites: positionals.slice(1), headless: true, timeoutNs: duration('timeout', values.timeout) };
  }
  if (command !== 'run' && command !== 'check' && command !== 'qtest') {
    const hint = didYouMean(command, ['run', 'check', 'qtest', 'test', 'help', 'version']);
    throw new UsageError(`unknown command "${command}". ${hint}Use "actorpc run FILE" to boot a machine, "actorpc check FILE" to validate one, "actorpc test" to run the kernel's test suites, or "actorpc qtest FILE" to drive its devices with qtest commands.`);
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
  for (const flag of ['screen', 'log', 'input'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a FILE name.`);
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
