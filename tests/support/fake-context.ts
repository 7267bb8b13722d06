// The fake context is public now (actorpc/harness): harness/fake-context.ts. Kept here for the tests' imports.
export * from '../../harness/fake-context.js';
