// The harness is public now (actorpc/harness): harness/harness.ts. Kept here for the tests' imports,
// with the start-and-stop bookkeeping every device test file needs.
import { afterEach } from 'vitest';
import { startDevice, type DeviceHarness, type HarnessOptions } from '../../harness/harness.js';

export * from '../../harness/harness.js';

/**
 * Call at the top level of a test file: `start(fragment, options)` starts a device harness that is
 * stopped after the test that started it (inline shells and worker threads alike).
 */
export function startedDevices(defaults: HarnessOptions = {}): (fragment: string, options?: HarnessOptions) => Promise<DeviceHarness> {
  let open: DeviceHarness[] = [];
  afterEach(async () => {
    const stopping = open;
    open = [];
    await Promise.all(stopping.map((h) => h.stop()));
  });
  return async (fragment, options = {}) => {
    const h = await startDevice(fragment, { ...defaults, ...options });
    open.push(h);
    return h;
  };
}
