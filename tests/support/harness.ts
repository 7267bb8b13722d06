// The harness is public now (actorpc/harness): harness/harness.ts. Kept here for the tests' imports.
export * from '../../harness/harness.js';
