import { expect } from 'chai';
import { access, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { isStorageError } from '../../src/storage/errors';
import { LogManager } from '../../src/storage/log-manager';
import { testAppend, testBatchFormat } from './support/test-batch-format';
import { removeDir, tempDir } from './wal/wal-test-helpers';
import type { WalLogConfig } from '../../src/storage/wal/wal-config';

const config: WalLogConfig = {
  fsyncPolicy: 'always', fsyncIntervalMs: 100, segmentBytes: 1 << 20, segmentMs: 3600_000,
  retentionBytes: -1, retentionMs: -1, batchFormat: testBatchFormat,
};

describe('Log manager', () => {
  let dataDir: string;
  let manager: LogManager;
  beforeEach(async () => {
    dataDir = await tempDir();
    manager = new LogManager({ dataDir, logger: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    await manager.close();
    await removeDir(dataDir);
  });

  it('opens one log per partition under <dataDir>/<topic>-<partition>, the same one while it is open', async () => {
    const [a, again, b] = await Promise.all([manager.open('orders', 0, config), manager.open('orders', 0, config), manager.open('orders', 1, config)]);
    expect(a).to.equal(again);
    expect(a).to.not.equal(b);
    await a.append(testAppend());
    expect((await readdir(dataDir)).sort()).to.deep.equal(['orders-0', 'orders-1']);
  });

  it('reopens a log after it was closed, with its data', async () => {
    const log = await manager.open('orders', 0, config);
    await log.append(testAppend({ recordCount: 3 }));
    await log.close();
    const reopened = await manager.open('orders', 0, config);
    expect(reopened).to.not.equal(log);
    expect(reopened.highWatermark()).to.equal(3n);
  });

  it('deletes a partition: closes its log and removes its directory', async () => {
    const log = await manager.open('orders', 0, config);
    await log.append(testAppend());
    await manager.delete('orders', 0);
    const err = await log.append(testAppend()).catch((e) => e);
    expect(isStorageError(err, 'LOG_CLOSED')).to.equal(true);
    const gone = await access(join(dataDir, 'orders-0')).then(() => false, () => true);
    expect(gone).to.equal(true);
    expect((await manager.open('orders', 0, config)).highWatermark()).to.equal(0n);
  });

  it('keeps what a partition created again at once receives while its old directory is still being removed', async () => {
    const small = { ...config, segmentBytes: 1024 };
    const old = await manager.open('orders', 0, small);
    for (let i = 0; i < 200; i++) await old.append(testAppend({ payload: 900 }));
    const deleting = manager.delete('orders', 0);
    const fresh = await manager.open('orders', 0, small);
    await fresh.append(testAppend({ recordCount: 2 }));
    await deleting;
    await fresh.close();
    const reopened = await manager.open('orders', 0, small);
    expect(reopened.highWatermark()).to.equal(2n);
    expect((await readdir(dataDir)).sort()).to.deep.equal(['orders-0']);
  });

  it('removes directories a crashed run left renamed for deletion, and nothing else', async () => {
    await mkdir(join(dataDir, 'orders-0.0a1b2c3d4e5f-delete', 'deep'), { recursive: true });
    await mkdir(join(dataDir, 'orders-1'));
    const next = new LogManager({ dataDir, logger: pino({ level: 'silent' }) });
    try {
      for (let i = 0; i < 50 && (await readdir(dataDir)).length > 1; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await readdir(dataDir)).to.deep.equal(['orders-1']);
    } finally {
      await next.close();
    }
  });

  it('refuses topic names that cannot name a directory', async () => {
    for (const name of ['', '..', 'a/b', 'x\u0000']) {
      const err = await manager.open(name, 0, config).catch((e) => e);
      expect(isStorageError(err, 'INVALID_ARGUMENT'), name).to.equal(true);
    }
  });

  it('applies retention to every open log on its timer', async () => {
    await manager.close();
    manager = new LogManager({ dataDir, logger: pino({ level: 'silent' }), retentionCheckIntervalMs: 10 });
    const log = await manager.open('t', 0, { ...config, segmentBytes: 100, retentionBytes: 0 });
    for (let i = 0; i < 4; i++) await log.append(testAppend());
    const deadline = Date.now() + 2000;
    while (log.logStartOffset() < 3n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(log.logStartOffset()).to.equal(3n);
  });

  it('closes every log on close and refuses to open more', async () => {
    const log = await manager.open('orders', 0, config);
    await manager.close();
    expect(isStorageError(await log.read(0n, 10).catch((e) => e), 'LOG_CLOSED')).to.equal(true);
    expect(isStorageError(await manager.open('orders', 0, config).catch((e) => e), 'LOG_CLOSED')).to.equal(true);
  });
});
