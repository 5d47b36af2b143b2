import { addToLedger, createLogger, createRedis, loadConfig, readLedger } from '@logflow/core';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';

/** The ledger's increment on the real Redis: a write sent again (a lost reply, ioredis's resend) counts once. */
describe('the ledger on Redis', () => {
  const redis = createRedis(loadConfig(), createLogger({ logLevel: 'warn' }, 'test'));
  const key = `lftest-ledger-${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    const keys = await redis.keys(`${key}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts a write sent twice with its token once, and writes with different tokens each', async () => {
    await addToLedger(redis, key, 'accepted', 100, 'write-1');
    await addToLedger(redis, key, 'accepted', 100, 'write-1');
    await addToLedger(redis, key, 'accepted', 7, 'write-2');
    await addToLedger(redis, key, 'elasticsearchIndexed', 5);
    await addToLedger(redis, key, 'elasticsearchIndexed', 5);
    expect(await readLedger(redis, key)).toEqual({ accepted: 107, elasticsearchIndexed: 10 });
    // The tokens expire: the ledger does not grow a key per write forever.
    expect(await redis.ttl(`${key}:write:write-1`)).toBeGreaterThan(0);
  });
});
