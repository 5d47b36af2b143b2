import { describe, expect, it } from 'vitest';
import type { Freshness } from '../api/logs.ts';
import { summarizeFreshness } from './freshness-text.ts';

const fresh = (lag: number | null, status: 'counted' | 'pending' | 'skipped', count: number | null): Freshness => ({
  esSinkLag: { messages: lag, checkedAt: null },
  missingFromElasticsearch: { status, count },
});

describe('freshness badge text', () => {
  it('says what lags', () => {
    expect(summarizeFreshness(fresh(1200, 'counted', 3))).toMatchObject({ tone: 'warning', text: 'search is 1,200 logs behind; 3 logs of this range not yet searchable' });
    expect(summarizeFreshness(fresh(1, 'counted', 1))?.text).toBe('search is 1 log behind; 1 log of this range not yet searchable');
    expect(summarizeFreshness(fresh(0, 'counted', 0))).toEqual({ tone: 'success', text: 'search is up to date' });
    expect(summarizeFreshness(fresh(0, 'pending', null))).toEqual({ tone: 'default', text: 'checking freshness…' });
    expect(summarizeFreshness(fresh(null, 'skipped', null))?.text).toBe('freshness unknown');
    expect(summarizeFreshness(undefined)).toBeUndefined();
  });

  it('says what to do when search lags', () => {
    expect(summarizeFreshness(fresh(50, 'counted', 0))?.advice).toMatch(/Search again in a moment.*Admin › Pipeline health/);
    expect(summarizeFreshness(fresh(0, 'counted', 7))?.advice).toMatch(/Reconcile of this range in Admin › Jobs/);
    expect(summarizeFreshness(fresh(0, 'counted', 0))?.advice).toBeUndefined();
  });
});
