// actorpc: the machine as a library.
//
//   import { Machine, ofKind } from 'actorpc';
//   const m = await Machine.start('post-07', { time: 'virtual', for: '2s' });
//   m.irq$('pic1.ir0').subscribe((r) => console.log(r.t, r.state));
//   await m.ready; m.type('hello'); await m.until('hello', '5s'); await m.stop();
//
// Device authors: actorpc/device (the interface) and actorpc/harness (testing a device).
export { Machine, UntilError, type Screen } from './machine.js';
export { ofKind } from './streams.js';
export { machineFile, toNs, type Duration, type MachineOptions } from './load.js';
export { loadMachine } from '../machine/config/load.js';
export { ConfigErrors } from '../machine/config/errors.js';
export type { MachineSpec, DeviceSpec } from '../machine/config/spec.js';
export type { MachineFile } from '../machine/config/schema.js';
export type { MachineResult, DeviceEvent, ActorCrash } from '../machine/machine.js';
export type { TraceRecord } from '../bus/trace.js';
export { TRACE_KINDS } from '../bus/trace.js';
export * from '../bus/trace-records.js';
