/**
 * kill -9 at random points while a log uploads, repeated: after each crash every recorded
 * object is whole and valid, the log's view has no overlap and no gap, and every acknowledged
 * batch reads back byte for byte from object storage. durability cloud: even with the local WAL
 * deleted between crashes. durability local (the uploader copying raw WAL frames): once the
 * restarted broker has uploaded what its WAL holds.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { loadDescriptors } from '../../../src/storage/tier/descriptor';
import { verifyObject } from '../../../src/storage/tier/object-format';
import { BlockCache } from '../../../src/storage/tier/block-cache';
import { TierIndex } from '../../../src/storage/tier/tier-index';
import { TieredReader } from '../../../src/storage/tier/tiered-reader';

const ROUNDS = 5;

function runUntilKilled(dir: string, killAfterMs: number, args: string[] = []): Promise<Map<bigint, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'crash-writer.ts'), dir, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent' },
    });
    const acked = new Map<bigint, string>();
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [kind, base, , hex] = line.split(' ');
        if (kind === 'READY' && killAfterMs >= 0) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        if (kind === 'ACK') acked.set(BigInt(base), hex);
      }
    });
    child.once('error', reject);
    child.once('exit', () => resolve(acked));
  });
}

describe('a crash during upload (kill -9, repeated)', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'tributary-crash-')); });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('never references a half-written object, never shows a range twice, and loses no acknowledged batch', async () => {
    const acked = new Map<bigint, string>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [base, hex] of await runUntilKilled(dir, 150 + Math.floor(Math.random() * 600))) acked.set(base, hex);
      if (round % 2 === 1) await rm(join(dir, 'logs'), { recursive: true, force: true });
    }
    expect(acked.size).to.be.greaterThan(ROUNDS * 10);
    await expectEveryAckedInObjects(dir, acked);
  });

  it('durability local, uploading raw WAL frames: the same after a restart has uploaded its WAL', async () => {
    const localDir = await mkdtemp(join(tmpdir(), 'tributary-crash-local-'));
    try {
      const acked = new Map<bigint, string>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const [base, hex] of await runUntilKilled(localDir, 150 + Math.floor(Math.random() * 600), ['local'])) acked.set(base, hex);
      }
      expect(acked.size).to.be.greaterThan(ROUNDS * 10);
      const metadata = await EmbeddedMetadataStore.open(join(localDir, 'meta'));
      const recorded = (await loadDescriptors(metadata, clusterKeys('/crash'))).length;
      await metadata.close();
      expect(recorded, 'objects uploaded while the writer was being killed').to.be.greaterThan(ROUNDS);
      await runUntilKilled(localDir, -1, ['local', 'drain']);
      await rm(join(localDir, 'logs'), { recursive: true, force: true });
      await expectEveryAckedInObjects(localDir, acked);
    } finally {
      await rm(localDir, { recursive: true, force: true });
    }
  });
});

/** Every recorded object whole and valid, the view contiguous with no batch twice, every acknowledged batch in it byte for byte. */
async function expectEveryAckedInObjects(dir: string, acked: Map<bigint, string>): Promise<void> {
  const metadata = await EmbeddedMetadataStore.open(join(dir, 'meta'));
  try {
    const objects = new OpendalObjectStore({ backend: 'fs', root: join(dir, 'objects') });
    const index = new TierIndex();
    for (const { descriptor, revision } of await loadDescriptors(metadata, clusterKeys('/crash'))) {
      const body = await objects.get(descriptor.key);
      expect(body.length).to.equal(descriptor.sizeBytes);
      expect(verifyObject(body, descriptor.key).framesCrc32c).to.equal(descriptor.framesCrc32c);
      index.add(descriptor, revision);
    }
    const view = index.view('t', 0);
    for (let i = 1; i < view.length; i++) expect(view[i].from, 'contiguous view').to.equal(view[i - 1].to);

    const reader = new TieredReader(index, new BlockCache(objects));
    const seen = new Map<bigint, string>();
    let offset = 0n;
    const end = index.endOffset('t', 0)!;
    while (offset < end) {
      const result = (await reader.read('t', 0, offset, 64 * 1024))!;
      let base = offset;
      for (const chunk of result.chunks) {
        expect(seen.has(chunk.readBigInt64BE(0)), 'no batch twice').to.equal(false);
        seen.set(chunk.readBigInt64BE(0), chunk.toString('hex'));
        base = chunk.readBigInt64BE(0);
      }
      expect(base >= offset).to.equal(true);
      offset = result.nextOffset;
    }
    for (const [base, hex] of acked) expect(seen.get(base), `acknowledged batch at ${base}`).to.equal(hex);
  } finally {
    await metadata.close();
  }
}
