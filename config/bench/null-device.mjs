// Bench only: a device that does nothing (one register reading 0xFF), to measure what a worker
// thread costs by itself. Each instance takes one port from `ports:` in the machine file.
export default {
  kind: 'null',
  title: 'does nothing (bench)',
  regions: [{ name: 'io', base: 0x540, size: 1 }],
  create: () => ({
    read: () => 0xff,
    write() {},
    snapshot: () => ({ v: 1 }),
    restore() {},
  }),
};
