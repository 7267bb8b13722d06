// The bus rig is public now (actorpc/harness): harness/bus-rig.ts. Kept here for the tests' imports.
export * from '../../harness/bus-rig.js';
