import type { Freshness } from '../api/logs.ts';

export interface FreshnessSummary {
  tone: 'success' | 'warning' | 'default';
  text: string;
}

/** The badge's words: how many logs search lags behind, and how many of this range it lacks. */
export function summarizeFreshness(freshness: Freshness | undefined): FreshnessSummary | undefined {
  if (!freshness) return undefined;
  const lag = freshness.esSinkLag.messages;
  const gap = freshness.missingFromElasticsearch;
  const parts: string[] = [];
  if (lag) parts.push(`search is ${lag.toLocaleString('en')} logs behind`);
  if (gap.status === 'counted' && gap.count) parts.push(`${gap.count.toLocaleString('en')} logs of this range not yet searchable`);
  if (parts.length > 0) return { tone: 'warning', text: parts.join('; ') };
  if (lag === null || gap.status !== 'counted') return { tone: 'default', text: gap.status === 'pending' ? 'checking freshness…' : 'freshness unknown' };
  return { tone: 'success', text: 'search is up to date' };
}
