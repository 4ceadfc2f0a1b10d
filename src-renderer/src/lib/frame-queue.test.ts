import { describe, expect, it } from 'vitest';
import { frameQueue } from './frame-queue.ts';

/** A queue on a hand-turned clock and frame list: each job "takes" `cost` ms. */
function harness(budgetMs: number, cost: number) {
  const frames: (() => void)[] = [];
  let clock = 0;
  const queue = frameQueue(
    (run) => frames.push(run),
    () => clock,
    budgetMs,
  );
  const ran: string[] = [];
  const job = (name: string) => () => {
    ran.push(name);
    clock += cost;
  };
  const frame = () => {
    const run = frames.shift();
    if (!run) throw new Error('no frame requested');
    run();
  };
  return { queue, ran, job, frame, frames };
}

describe('frameQueue', () => {
  it('runs jobs in the order queued, as many per frame as fit the budget and at least one', () => {
    const h = harness(12, 5);
    for (const name of ['a', 'b', 'c', 'd']) h.queue.add({}, h.job(name), 0);
    expect(h.frames).toHaveLength(1);
    h.frame();
    expect(h.ran).toEqual(['a', 'b', 'c']);
    h.frame();
    expect(h.ran).toEqual(['a', 'b', 'c', 'd']);
    expect(h.frames).toHaveLength(0);

    const slow = harness(12, 40);
    for (const name of ['a', 'b']) slow.queue.add({}, slow.job(name), 0);
    slow.frame();
    expect(slow.ran).toEqual(['a']);
    slow.frame();
    expect(slow.ran).toEqual(['a', 'b']);
  });

  it('runs the lowest rank first, equal ranks in the order queued', () => {
    const h = harness(100, 1);
    h.queue.add({}, h.job('below'), 500);
    h.queue.add({}, h.job('top right'), 10);
    h.queue.add({}, h.job('top left'), 10);
    h.frame();
    expect(h.ran).toEqual(['top right', 'top left', 'below']);
  });

  it('keeps one job per key, the latest', () => {
    const h = harness(100, 1);
    const first = {};
    h.queue.add(first, h.job('first@0.5'), 0);
    h.queue.add({}, h.job('second'), 0);
    h.queue.add(first, h.job('first@0.9'), 0);
    h.frame();
    expect(h.ran).toEqual(['first@0.9', 'second']);
  });

  it('forgets a dropped key’s job and requests no frame when nothing is left', () => {
    const h = harness(100, 1);
    const gone = {};
    h.queue.add(gone, h.job('gone'), 0);
    h.queue.add({}, h.job('kept'), 0);
    h.queue.drop(gone);
    h.frame();
    expect(h.ran).toEqual(['kept']);
    expect(h.frames).toHaveLength(0);
  });

  it('leaves the jobs after one that throws for the next frame', () => {
    const h = harness(100, 1);
    h.queue.add(
      {},
      () => {
        throw new Error('broken chart');
      },
      0,
    );
    h.queue.add({}, h.job('next'), 0);
    expect(h.frame).toThrow('broken chart');
    expect(h.ran).toEqual([]);
    h.frame();
    expect(h.ran).toEqual(['next']);
  });
});
