// Bad usage (flags, scripts) is the user's to fix: one paragraph naming the flag and the fix,
// exit status 2, no stack trace.

export class UsageError extends Error {}

/** `text` ending in exactly one full stop (or its own ? or !): messages are joined into paragraphs. */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_TIMEOUT = 124;
/** A run stopped by a signal exits 128 + its number, as shells report a process killed by it. */
export const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
/** stdout's reader went away (EPIPE): exit quietly with the status a shell shows for cat killed by SIGPIPE. */
export const EXIT_BROKEN_PIPE = 128 + 13;

export const USAGE = `usage: actorpc <command> [options]

commands:
  run FILE            boot the machine described by FILE (YAML)
  check FILE          validate FILE only
  qtest FILE          no CPU: drive FILE's devices with QEMU qtest commands (outb, inb, clock_step,
                      irq_intercept_in, ...) on stdin/stdout, in virtual time; see docs/qtest.md
  test [SUITE...]     the kernel's own test suites (lib, bin, basic_boot, heap_allocation,
                      should_panic, stack_overflow), each in its own machine (config/test.yaml);
                      --timeout DURATION of machine time per suite (default 300s)
  matrix FILE...      run many machines in parallel (--for DURATION of machine time each, default
                      2s; --jobs N at once, default one per core); one line per machine: exit,
                      screen digest, IRQ counts
  timeline LOG -o FILE  a --log NDJSON → a Chrome/Perfetto timeline FILE.json (ui.perfetto.dev)
  help [COMMAND]      this text (also -h, --help); "actorpc run --help": the run options only
  version             actorpc's version (also -V, --version)

run options:
  --headless          no full-screen UI; print the final screen (default when stdout is not a TTY)
  --time MODE         realtime | virtual (overrides time.mode in FILE)
  --until TEXT        exit 0 as soon as TEXT appears on a row of the screen
  --timeout DURATION  exit 124 if that much machine time passes first (e.g. 5s, 250ms)
  --for DURATION      run that much machine time, then exit 0
  --screen FILE       write the final screen text to FILE
  --screenshot FILE   write the final screen to FILE.png as the VGA shows it (720×400, 9×16 font)
  --web [PORT]        serve a web view (screen, keyboard, IRQ timeline) on 127.0.0.1:PORT (default:
                      a free port; the URL is printed); closing the page leaves the machine running
  --log FILE          write trace records to FILE as NDJSON (schema v2: docs/trace.md); FILE may be a FIFO
  --log-filter SPEC   keep only matching records; repeatable, all must match:
                        kind=io.*,pic.eoi   actor=pic1,cpu   port=0x20-0x21,0x60   line=pic1.ir0
  --pretty            human-readable trace lines to the --log FILE, or stderr (hardware values in hex)
  --stats [MODE]      end-of-run IRQ report: text (stderr; the default when headless), json (stdout,
                      instead of the final screen), off; --no-stats = --stats off (docs/trace.md)
  --timeline FILE     write a Chrome/Perfetto timeline of the run to FILE.json
  --type TEXT         type TEXT on the keyboard once the kernel is ready (idles with interrupts on)
  --input FILE        play a YAML/JSON script of typed text and key events at machine times
  --print-config      print the resolved machine and exit
  --monitor WHERE     a monitor (stop, cont, step, info, x, sendkey, ...) on stdio or tcp:127.0.0.1:PORT
  --record FILE       record what makes the run unrepeatable (host input, realtime clock readings)
  --replay FILE       run a recorded session again, exactly (same --log, same screens)
  --stop-at TIME      hold the machine at that machine time (with a monitor), else end the run there
  --no-reboot         a triple fault exits with status 0 instead of resetting (as QEMU -no-reboot)
  --serial [UART=]OUT where a UART's output goes: stdout, none or a FILE; repeatable, one per UART
                      (without UART=, the first): --serial com1=com1.log
  --set KEY=VALUE     override any key of FILE, checked as the file is (repeatable; also for check
                      and qtest): --set kernel.scenario=missing-eoi --set devices.pit.placement=worker

qtest options (and --log, --log-filter, --pretty as for run):
  --socket PATH       serve one client on the Unix socket PATH instead of stdin/stdout

keys in the full-screen UI: Ctrl-A X quits (as in QEMU); Ctrl-A C opens/closes the monitor; Ctrl-C twice quits.

exit status: 0 ok; 2 bad usage or config; 124 --timeout reached; 1 the machine failed (an actor
crash, a deadlock, a boot loop) or --until TEXT never appeared; 128+N stopped by signal N
(130 SIGINT, 143 SIGTERM, 129 SIGHUP: the machine is stopped, the final screen printed and the
--log completed first); 141 stdout closed early (e.g. "| head -1").`;


/** `actorpc run --help`: the run options of USAGE (so a flag added there shows here too). */
export function runUsage(): string {
  const start = USAGE.indexOf('run options:');
  const end = USAGE.indexOf('\n\n', start);
  return `usage: actorpc run FILE [options]\n\nboot the machine described by FILE (YAML).\n\n${USAGE.slice(start, end)}\n\n${USAGE.slice(USAGE.indexOf('exit status:'))}`;
}
