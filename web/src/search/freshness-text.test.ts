import { describe, expect, it } from 'vitest';
import type { Freshness } from '../api/logs.ts';
import { summarizeFreshness } from './freshness-text.ts';

const fresh = (lag: number | null, status: 'counted' | 'pending' | 'skipped', count: number | null): Freshness => ({
  esSinkLag: { messages: lag, checkedAt: null },
  missingFromElasticsearch: { status, count },
});

describe('freshness badge text', () => {
  it('says what lags', () => {
    expect(summarizeFreshness(fresh(1200, 'counted', 3))).toEqual({ tone: 'warning', text: 'search is 1,200 logs behind; 3 logs of this range not yet searchable' });
    expect(summarizeFreshness(fresh(0, 'counted', 0))).toEqual({ tone: 'success', text: 'search is up to date' });
    expect(summarizeFreshness(fresh(0, 'pending', null))).toEqual({ tone: 'default', text: 'checking freshness…' });
    expect(summarizeFreshness(fresh(null, 'skipped', null))?.text).toBe('freshness unknown');
    expect(summarizeFreshness(undefined)).toBeUndefined();
  });
});
