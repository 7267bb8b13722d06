// Ways the guest's synchronous execution ends. They unwind the guest's TypeScript call stack
// from inside an instruction, the way a reset or power-off ends a real CPU's execution.

export type StopReason =
  | 'stop' // the host asked (quit key, --until matched, an actor crashed)
  | 'for' // --for machine time elapsed
  | 'timeout' // --timeout machine time elapsed
  | 'idle' // idle for good and nobody is watching (headless)
  | 'exit' // a device (isa-debug-exit) stopped the machine
  | 'triple-fault' // with no_reboot
  | 'crash' // a device model failed (reported with its name)
  | 'boot-loop'; // triple fault after triple fault

export class MachineStop extends Error {
  constructor(readonly reason: StopReason, readonly status = 0) {
    super(`machine stopped: ${reason}`);
  }
}

/** The guest code returned from a function that must never return (a kernel entry). */
export class GuestReturned extends Error {}

/** A machine reset (triple fault, keyboard-controller pulse): firmware and kernel start again. */
export class MachineReset extends Error {
  constructor(readonly why: string) {
    super(`machine reset: ${why}`);
  }
}
