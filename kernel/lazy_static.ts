// lazy_static!: a static initialised on first use. Its value belongs to one boot of the machine:
// a reset (triple fault, keyboard-controller reset) starts the kernel again with fresh statics,
// as reloading the kernel image does on hardware.

const statics: Array<Lazy<unknown>> = [];

export class Lazy<T> {
  private value: T | undefined;
  private initialised = false;

  constructor(private readonly init: () => T) {
    statics.push(this as Lazy<unknown>);
  }

  get(): T {
    if (!this.initialised) {
      this.value = this.init();
      this.initialised = true;
    }
    return this.value as T;
  }

  reset(): void {
    this.initialised = false;
    this.value = undefined;
  }
}

/** Forget every static's value: the next boot initialises them again. */
export function resetStatics(): void {
  for (const s of statics) s.reset();
}
