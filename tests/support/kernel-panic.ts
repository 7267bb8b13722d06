// Kernel panics as test failures: the handler throws, so `expect(..).toThrow(/message/)` works
// and the guest's call stack unwinds out of the test.
import { setPanicHandler } from '../../kernel/panic.js';

export class KernelPanic extends Error {
  constructor(readonly info: string) {
    super(info);
  }
}

export function throwOnPanic(): void {
  setPanicHandler((info) => {
    throw new KernelPanic(info);
  });
}
