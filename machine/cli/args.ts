// Command-line parsing for `actorpc`. Light on purpose: `actorpc help` and `--version` load only
// this file, usage.ts and what they import (no zod, yaml, rxjs or machine).
import { parseArgs } from 'node:util';
import { parseDuration, UnitError } from '../config/units.js';
import { parseLogFilter, type TraceFilter } from '../log-filter.js';
import { closest, didYouMean } from '../config/suggest.js';
import { sentence, UsageError } from './usage.js';
import { sessionFlags, type SessionFlags } from '../replay/flags.js';

export interface RunArgs {
  readonly command: 'run' | 'check' | 'help' | 'version' | 'qtest' | 'test' | 'timeline' | 'matrix';
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
  /** run --monitor, --record, --replay, --stop-at (machine/replay/flags.ts). */
  readonly session?: SessionFlags;
  /** run --no-reboot: a triple fault exits with status 0 instead of resetting (no_reboot: true). */
  readonly noReboot?: boolean;
  /** run --serial [UART=]stdout|FILE|none, one per UART. */
  readonly serial?: readonly string[];
  /** --set KEY=VALUE: overrides of machine-file keys, checked as the file is. */
  readonly set?: readonly string[];
  /** help: the command asked about ("actorpc run --help", "actorpc help run"). */
  readonly topic?: string;
  /** matrix: the machine files, and how many run at once (default: one per core). */
  readonly files?: readonly string[];
  readonly jobs?: number;
  /** --stats: the end-of-run report (undefined: text when headless, else off). */
  readonly stats?: 'text' | 'json' | 'off';
  /** run --timeline FILE, or timeline LOG -o FILE: the Chrome trace to write. */
  readonly timeline?: string;
  /** --screenshot: write the final screen to this PNG file. */
  readonly screenshot?: string;
  /** --web [PORT]: serve the web view on 127.0.0.1 at this port (0: a free one). */
  readonly web?: number;
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
  monitor: { type: 'string' },
  record: { type: 'string' },
  replay: { type: 'string' },
  'stop-at': { type: 'string' },
  'no-reboot': { type: 'boolean' },
  serial: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  jobs: { type: 'string', short: 'j' },
  screenshot: { type: 'string' },
  web: { type: 'string' },
  stats: { type: 'string' },
  'no-stats': { type: 'boolean' },
  timeline: { type: 'string' },
  output: { type: 'string', short: 'o' },
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
    // --web's PORT is optional: only a number after it is its value ("--web=" is a free port).
    if (name === 'web') {
      out.push(/^\d+$/.test(argv[i + 1] ?? '') ? `${a}=${argv[++i]}` : '--web=');
      continue;
    }
    // --stats' MODE is optional: only text, json or off after it is its value.
    if (name === 'stats') {
      out.push(STATS_MODES.includes(argv[i + 1] ?? '') ? `${a}=${argv[++i]}` : '--stats=text');
      continue;
    }
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

/** --serial [UART=]stdout|FILE|none: the target is checked here, the UART's name against the machine in run. */
function serialSpec(text: string): string {
  const [device, target] = /^[A-Za-z_][\w-]*=/.test(text) ? [text.slice(0, text.indexOf('=')), text.slice(text.indexOf('=') + 1)] : [undefined, text];
  if (target === '') throw new UsageError(`--serial ${JSON.stringify(text)}: say where ${device ?? 'the serial port'}'s output goes: stdout, none or a FILE, e.g. --serial ${device ?? 'com1'}=com1.log.`);
  return text;
}

/** --web's PORT: none given (or "--web=") is 0, a free port chosen by the system. */
function webPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '') return 0;
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--web ${JSON.stringify(text)}: the PORT is a number from 1 to 65535 (or leave it out for a free port), e.g. --web 8080.`);
  return port;
}

const STATS_MODES = ['text', 'json', 'off'];

/** --stats [MODE] and --no-stats. */
function statsMode(mode: string | undefined, off: boolean | undefined): RunArgs['stats'] {
  if (mode !== undefined && !STATS_MODES.includes(mode)) throw new UsageError(`--stats ${JSON.stringify(mode)}: use --stats (text on stderr), --stats json (JSON on stdout) or --stats off.`);
  if (off && mode !== undefined && mode !== 'off') throw new UsageError(`--no-stats and --stats ${mode} contradict each other; give one.`);
  return off ? 'off' : (mode as RunArgs['stats']);
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
  if (values.help || command === 'help') return { command: 'help', asked: true, topic: values.help ? command : file, ...defaults };
  if (command === undefined) return { command: 'help', asked: false, ...defaults };
  if (command === 'matrix') {
    const other = Object.keys(values).filter((k) => !['for', 'jobs', 'time', 'set'].includes(k) && (values as Record<string, unknown>)[k] !== undefined);
    if (other.length) throw new UsageError(`--${other[0]} does not apply to "actorpc matrix": its options are --for DURATION (machine time per machine, default 2s), --jobs N, --time MODE and --set KEY=VALUE.`);
    const files = positionals.slice(1);
    if (!files.length) throw new UsageError('"actorpc matrix" needs machine files, e.g. "actorpc matrix config/posts/*.yaml --for 2s".');
    if (values.time !== undefined && values.time !== 'realtime' && values.time !== 'virtual') throw new UsageError(`--time ${JSON.stringify(values.time)}: use --time realtime or --time virtual.`);
    const jobs = values.jobs === undefined ? undefined : /^[1-9]\d*$/.test(values.jobs) ? Number(values.jobs) : NaN;
    if (Number.isNaN(jobs)) throw new UsageError(`--jobs ${JSON.stringify(values.jobs)}: give how many machines run at once, a whole number from 1, e.g. --jobs 4.`);
    return { ...defaults, command: 'matrix', files, jobs, headless: true, forNs: duration('for', values.for) ?? 2e9, time: values.time as RunArgs['time'], set: values.set };
  }
  if (command === 'test') {
    const other = Object.keys(values).filter((k) => k !== 'timeout' && (values as Record<string, unknown>)[k] !== undefined);
    if (other.length) throw new UsageError(`--${other[0]} does not apply to "actorpc test": its only option is --timeout DURATION (machine time per suite, default 300s).`);
    return { ...defaults, command: 'test', suites: positionals.slice(1), headless: true, timeoutNs: duration('timeout', values.timeout) };
  }
  if (command === 'timeline') {
    const other = Object.keys(values).filter((k) => k !== 'output' && (values as Record<string, unknown>)[k] !== undefined);
    if (other.length) throw new UsageError(`--${other[0]} does not apply to "actorpc timeline": write "actorpc timeline LOG.ndjson -o FILE.json".`);
    if (!file) throw new UsageError('"actorpc timeline" needs the NDJSON trace of a run (--log FILE), e.g. "actorpc timeline trace.ndjson -o timeline.json".');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" after ${file}: give one log file.`);
    if (!values.output) throw new UsageError(`"actorpc timeline ${file}" needs -o FILE.json, the timeline to write (open it in ui.perfetto.dev or chrome://tracing).`);
    return { ...defaults, command: 'timeline', file, timeline: values.output };
  }
  if (command !== 'run' && command !== 'check' && command !== 'qtest') {
    const hint = didYouMean(command, ['run', 'check', 'qtest', 'test', 'timeline', 'matrix', 'help', 'version']);
    throw new UsageError(`unknown command "${command}". ${hint}Use "actorpc run FILE" to boot a machine, "actorpc check FILE" to validate one, "actorpc test" to run the kernel's test suites, "actorpc qtest FILE" to drive its devices with qtest commands, or "actorpc timeline LOG -o FILE.json" to turn a --log into a Perfetto timeline.`);
  }
  if (!file) throw new UsageError(`"actorpc ${command}" needs a machine file, e.g. "actorpc ${command} config/default.yaml".`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" after ${file}: give one machine file; quote TEXT that has spaces.`);
  if (values.time !== undefined && values.time !== 'realtime' && values.time !== 'virtual') {
    throw new UsageError(`--time ${JSON.stringify(values.time)}: use --time realtime or --time virtual.`);
  }
  if (values.until !== undefined && values.until === '') throw new UsageError('--until needs a non-empty TEXT to wait for.');
  const given = (flags: readonly string[]) => flags.filter((f) => (values as Record<string, unknown>)[f] !== undefined);
  if (command === 'qtest') {
    const runOnly = given(['headless', 'time', 'until', 'timeout', 'for', 'screen', 'type', 'input', 'print-config', 'screenshot', 'web', 'stats', 'no-stats', 'timeline', 'no-reboot', 'serial', 'jobs', 'monitor', 'record', 'replay', 'stop-at']);
    if (runOnly.length) throw new UsageError(`--${runOnly[0]} does not apply to "actorpc qtest": the protocol drives the machine (time is virtual and moves only on clock_step / clock_set). Its options: --socket PATH, --log FILE, --log-filter SPEC, --pretty.`);
    if (values.socket === '') throw new UsageError('--socket needs the PATH of a Unix socket to listen on.');
  } else if (values.socket !== undefined) {
    throw new UsageError(`--socket applies to "actorpc qtest" only: "actorpc qtest ${file} --socket PATH".`);
  }
  if (values.output !== undefined) throw new UsageError(`-o applies to "actorpc timeline LOG -o FILE"; for a run's timeline use --timeline FILE.json.`);
  for (const flag of ['screen', 'log', 'input', 'screenshot', 'timeline'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a FILE name.`);
  }
  if (values.screenshot !== undefined && !/\.png$/i.test(values.screenshot)) {
    throw new UsageError(`--screenshot ${values.screenshot}: a screenshot is a PNG image; name the file with .png, e.g. --screenshot screen.png.`);
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
    session: sessionFlags(values),
    noReboot: values['no-reboot'],
    serial: (values.serial ?? []).map(serialSpec),
    set: values.set,
    screenshot: values.screenshot,
    web: webPort(values.web),
    stats: statsMode(values.stats, values['no-stats']),
    timeline: values.timeline,
  };
}
