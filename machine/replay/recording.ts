// The main thread's side of --record and --replay: the header of a new recording, and a
// recording checked against the machine it is to replay on (mistakes are UsageErrors: exit 2).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MachineSpec } from '../config/spec.js';
import { UsageError } from '../cli/usage.js';
import { parseRecording, RECORDING_FORMAT, RECORDING_VERSION, RecordingError, type RecordingHeader } from './format.js';

/** A hash of what makes the machine the machine: its resolved spec without front ends or positions. */
export function specHash(spec: MachineSpec): string {
  const text = JSON.stringify(spec, (key, value) => (key === 'adapter' || key === 'pos' || key === 'file' ? undefined : value));
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function recordingHeader(file: string, spec: MachineSpec, stopAt: number, stopReason: string): RecordingHeader {
  return {
    format: RECORDING_FORMAT, version: RECORDING_VERSION, machine: file, spec: specHash(spec), time: spec.time.mode,
    stopAt: Number.isFinite(stopAt) ? stopAt : null, stopReason,
  };
}

/** Read and check a recording for `spec` (time mode taken from the recording). */
export function loadRecording(path: string, spec: MachineSpec, machineFile: string): { bytes: Uint8Array; header: RecordingHeader; spec: MachineSpec } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UsageError(`--replay ${path}: cannot read it (${(err as Error).message}). Give a file written by --record.`);
  }
  let header: RecordingHeader;
  try {
    header = parseRecording(bytes, path).header;
  } catch (err) {
    if (err instanceof RecordingError) throw new UsageError(`--replay ${path}: ${err.message}. Record the run again with --record FILE.`);
    throw err;
  }
  const timed = { ...spec, time: { ...spec.time, mode: header.time } };
  if (header.spec !== specHash(timed)) {
    throw new UsageError(`--replay ${path}: it was recorded on another machine (${header.machine}, ${header.time} time) than ${machineFile} is now: replay it with the machine file it was recorded with, unchanged.`);
  }
  return { bytes, header, spec: timed };
}
