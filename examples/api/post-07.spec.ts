// An outside project's test: boot blog_os post 07 with actorpc's API and follow the timer tick
// along the bus with RxJS: the PIT's output edge on pic1.ir0, the CPU taking vector 32, the
// handler's end of interrupt at pic1. Virtual time: the same records, at the same machine times,
// on any host. Runs with node's own test runner (node --test), no test framework needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bufferCount, filter, firstValueFrom, take, toArray } from 'rxjs';
import { Machine, ofKind, type RecordOf } from 'actorpc';

type Tick = [RecordOf<'irq.level'>, RecordOf<'cpu.int'>, RecordOf<'pic.eoi'>];

test('post-07: each timer tick is pic1.ir0 rising, then cpu.int vector 32, then pic.eoi at pic1', async () => {
  const m = await Machine.start('post-07', { time: 'virtual', for: '1s' });
  // Subscribed before machine time starts: no record is missed.
  const ticks = firstValueFrom(
    m.trace$.pipe(
      ofKind('irq.level', 'cpu.int', 'pic.eoi'),
      filter((r) => r.kind !== 'irq.level' || (r.line === 'pic1.ir0' && r.state === 1)),
      bufferCount(3, 1),
      filter((w): w is Tick => w[0]?.kind === 'irq.level' && w[1]?.kind === 'cpu.int' && w[2]?.kind === 'pic.eoi'),
      take(3),
      toArray(),
    ),
  );
  const readyAt = await m.ready;
  const chain = await ticks;
  const result = await m.stop();

  assert.equal(chain.length, 3);
  for (const [edge, int, eoi] of chain) {
    assert.equal(int.vector, 32);
    assert.match(int.handler, /timer_interrupt_handler/);
    assert.equal(eoi.chip, 'pic1');
    assert.equal(eoi.irq, 0);
    assert.ok(edge.t <= int.t && int.t <= eoi.t, 'in machine-time order');
    assert.ok(int.t > readyAt, 'after the kernel was ready');
  }
  // The PIT at divisor 65536: 1.193182 MHz / 65536 = 18.2 Hz, a tick every 54.925 ms.
  const period = chain[1]![1].t - chain[0]![1].t;
  assert.ok(Math.abs(period - 54_925_000) < 10_000, `tick period ${period} ns`);
  assert.notEqual(result.reason, 'crash');
});
