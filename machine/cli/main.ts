// actorpc's entry: parse, dispatch, map every failure to its exit status with a clear message.
import { loadMachine } from '../config/load.js';
import { ConfigErrors } from '../config/errors.js';
import { parseCommandLine } from './args.js';
import { qtestCommand } from './qtest.js';
import { testCommand } from './test.js';
import { runCommand, writeScreen } from './run.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, USAGE, UsageError } from './usage.js';

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parseCommandLine(argv);
    if (args.command === 'help') {
      process.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    if (args.command === 'check') {
      const spec = await loadMachine(args.file!);
      process.stdout.write(`${args.file}: ok — ${spec.devices.length} devices, ${spec.wires.length} wires, kernel ${spec.kernel.main}\n`);
      return EXIT_OK;
    }
    if (args.command === 'qtest') return await qtestCommand(args);
    if (args.command === 'test') return await testCommand(args.suites ?? [], args.timeoutNs);
    const outcome = await runCommand(args);
    if (outcome.screen !== undefined) {
      if (args.screen) writeScreen(args.screen, outcome.screen);
      if (args.headless || !process.stdout.isTTY || !process.stdin.isTTY) process.stdout.write(outcome.screen + '\n');
    }
    return outcome.status;
  } catch (err) {
    if (err instanceof ConfigErrors) {
      process.stderr.write(err.message + '\n');
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`actorpc: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`actorpc: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
