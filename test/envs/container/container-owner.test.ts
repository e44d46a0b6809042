import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { containerLabels, LABELS, ownerOf } from '../../../src/envs/container/container-labels.ts';
import { currentOwner, formatOwner, ownerState, parseOwner, processStart } from '../../../src/envs/container/container-owner.ts';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe('container owners', () => {
  test('format and parse are inverse', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9.-]{1,40}$/),
        fc.integer({ min: 1, max: 4_194_304 }),
        fc.stringMatching(/^\d{0,12}$/),
        (host, pid, start) => {
          assert.deepEqual(parseOwner(formatOwner({ host, pid, start })), { host, pid, start });
        },
      ),
    );
    for (const bad of [undefined, '', 'host', 'host/x/1', 'a/b/1/2', '/1/2']) assert.equal(parseOwner(bad), undefined, String(bad));
  });

  test('this process is alive; a process that exited is dead; a reused pid (other start time) is dead', async () => {
    const me = currentOwner();
    assert.equal(me.host, hostname());
    assert.match(me.start, /^\d+$/, 'Linux has /proc');
    assert.equal(ownerState(me), 'alive');
    assert.equal(ownerState({ ...me, pid: await deadPid() }), 'dead');
    assert.equal(ownerState({ ...me, start: String(Number(me.start) + 1) }), 'dead');
    // The parent process runs, but it started at another time than the label says.
    assert.equal(processStart(process.ppid) === '', false);
    assert.equal(ownerState({ host: me.host, pid: process.ppid, start: processStart(process.ppid) }), 'alive');
    assert.equal(ownerState({ host: me.host, pid: process.ppid, start: '1' }), 'dead');
  });

  test('an owner on another host cannot be judged from here', () => {
    assert.equal(ownerState({ host: `not-${hostname()}`, pid: 1, start: '' }), 'unknown');
  });

  test('labels carry the worker, the envs and the owner', () => {
    const owner = currentOwner();
    const labels = containerLabels({ workerId: 'w-1', envs: ['container/a', 'container/b'], owner, instance: 'i' });
    assert.deepEqual(labels, {
      [LABELS.managed]: 'true',
      [LABELS.worker]: 'w-1',
      [LABELS.env]: 'container/a,container/b',
      [LABELS.owner]: formatOwner(owner),
      [LABELS.instance]: 'i',
    });
    assert.deepEqual(ownerOf(labels), owner);
  });
});
