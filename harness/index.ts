// actorpc/harness: test a device (yours or a built-in) without a whole machine.
//  - startDevice(fragment): one device from a YAML fragment on the real bus router, inline or on a
//    real worker, with a virtual clock (qtest without the board);
//  - busRig(devices, wires): several device cores behind real shells on one router (e.g. your
//    device and two 8259As), on the caller's thread;
//  - FakeContext: a DeviceContext for unit tests of a core alone.
// No test-framework imports: usable from vitest, node:test or a script.
export { startDevice, DeviceHarness, type HarnessOptions, type OutputChange, type HarnessEffect, type DeviceEvents } from './harness.js';
export { FakeContext, type RecordedTrace } from './fake-context.js';
export { busRig, BUILTIN_MODULES, type BusRig, type RigDevice, type BuiltinName } from './bus-rig.js';
export type { TraceRecord } from '../bus/trace.js';
export type { DecodedRecord } from '../bus/trace-ring.js';
