// lazy_static's Lazy across host threads: a guest thread runs on a host thread of its own, which
// loaded the kernel's modules itself, so a Lazy the boot thread initialised reads COMPLETE there
// with nothing cached. Two Lazy objects with one static name stand for one static seen from two
// host threads (a name has one address).
import { beforeEach, describe, expect, it } from 'vitest';
import { load32, store32 } from '../../cpu/isa.js';
import { Lazy } from '../../kernel/lazy_static.js';
import { staticAlloc } from '../../kernel/statics.js';
import { Mutex } from '../../kernel/sync/spin.js';
import { guestRig } from '../support/guest.js';

beforeEach(() => {
  guestRig();
});

/** A counter static behind a Mutex, initialised to `initial` by init; the view only rebuilds the handle. */
function counterLazies(name: string, initial: number) {
  const at = staticAlloc(`${name}::data`, 8, 8);
  let inits = 0;
  let views = 0;
  const init = () => {
    inits++;
    store32(at + 4, initial);
    return new Mutex(at + 4, at);
  };
  const view = () => {
    views++;
    return new Mutex(at + 4, at);
  };
  const bootThread = new Lazy(init, name, view);
  const otherThread = new Lazy(init, name, view);
  return { bootThread, otherThread, counts: () => ({ inits, views }) };
}

describe('Lazy on a second host thread', () => {
  it('one static name is one state word: the second handle sees the first one initialised', () => {
    const { bootThread, otherThread } = counterLazies('test::lazy::SHARED', 7);
    expect(otherThread.stateAt).toBe(bootThread.stateAt);
    bootThread.get();
    expect(load32(otherThread.stateAt)).toBe(2); // COMPLETE
  });

  it('a COMPLETE state with nothing cached rebuilds the handle with the view, without running init again', () => {
    const { bootThread, otherThread, counts } = counterLazies('test::lazy::VIEWED', 41);
    const mine = bootThread.get();
    mine.with((p) => store32(p, load32(p) + 1)); // 42, written through the boot thread's handle
    const theirs = otherThread.get();
    expect(counts()).toEqual({ inits: 1, views: 1 });
    expect(theirs.with((p) => load32(p))).toBe(42); // the same memory
    expect(theirs.lockAt).toBe(mine.lockAt);
    otherThread.get();
    expect(counts()).toEqual({ inits: 1, views: 1 }); // cached after the first view
  });

  it('the view writes nothing: a lock held on the boot thread stays held when another thread builds its handle', () => {
    const { bootThread, otherThread } = counterLazies('test::lazy::HELD', 1);
    const guard = bootThread.get().lock();
    expect(otherThread.get().isLocked).toBe(true);
    guard.drop();
    expect(otherThread.get().isLocked).toBe(false);
  });

  it('without a view, the second host thread gets an error naming the Lazy', () => {
    const name = 'test::lazy::NO_VIEW';
    const bootThread = new Lazy(() => 1, name);
    const otherThread = new Lazy(() => 1, name);
    bootThread.get();
    expect(() => otherThread.get()).toThrow(/Lazy test::lazy::NO_VIEW was initialised on another host thread and has no view/);
  });

  it('the thread that finds it INCOMPLETE initialises it, view or not', () => {
    const { otherThread, counts } = counterLazies('test::lazy::FIRST', 3);
    expect(otherThread.get().with((p) => load32(p))).toBe(3);
    expect(counts()).toEqual({ inits: 1, views: 0 });
  });
});
