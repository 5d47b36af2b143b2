import { describe, expect, it } from 'vitest';
import { CONTEXT_MAX, contextKeyOptions, nextSize } from './context-view.ts';

describe('context view', () => {
  it('offers the usual keys, then the exact-value fields of the log, metadata included', () => {
    const log = { id: 'x', level: 'info', message: 'm', timestamp: 't', receivedAt: 'r', traceId: 't-1', metadata: { pod: { name: 'p' } } };
    expect(contextKeyOptions(log).map((o) => o.value)).toEqual(['resourceId', 'traceId', 'spanId', 'commit', 'level', 'metadata.pod.name']);
    expect(contextKeyOptions(undefined).map((o) => o.value)).toEqual(['resourceId', 'traceId', 'spanId', 'commit']);
  });

  it('loads more by doubling, up to the API limit', () => {
    const sizes = [20];
    while (sizes.at(-1)! < CONTEXT_MAX) sizes.push(nextSize(sizes.at(-1)!));
    expect(sizes).toEqual([20, 40, 80, 160, 320, 500]);
  });
});
