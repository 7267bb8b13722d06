// The cheapest possible device: one register that reads back what was written. Bench only.
import { defineDevice } from '../bus/device.js';

export const echo = defineDevice({
  kind: 'echo',
  title: 'bench echo register',
  regions: [{ name: 'io', size: 1, base: 0x500 }],
  create() {
    let value = 0;
    return {
      read: () => value,
      write: (_r, _o, _s, v) => { value = v; },
      snapshot: () => ({ version: 1, value }),
      restore: (s) => { value = s.value as number; },
    };
  },
});
