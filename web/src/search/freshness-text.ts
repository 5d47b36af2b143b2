import type { Freshness } from '../api/logs.ts';
import { countOf } from './plural.ts';

export interface FreshnessSummary {
  tone: 'success' | 'warning' | 'default';
  text: string;
  /** What the user can do about a lag. */
  advice?: string;
}

const LAG_ADVICE = 'The newest logs may be missing from these results. Search again in a moment; if the lag keeps growing, Admin › Pipeline health shows the Elasticsearch sink and its consumer lag.';
const GAP_ADVICE = 'These logs are stored (Postgres) but not yet searchable. They usually arrive within seconds; if they do not, an admin can start a Reconcile of this range in Admin › Jobs.';

/** The badge's words: how many logs search lags behind, and how many of this range it lacks. */
export function summarizeFreshness(freshness: Freshness | undefined): FreshnessSummary | undefined {
  if (!freshness) return undefined;
  const lag = freshness.esSinkLag.messages;
  const gap = freshness.missingFromElasticsearch;
  const parts: string[] = [];
  const advice: string[] = [];
  if (lag) {
    parts.push(`search is ${countOf(lag, 'log')} behind`);
    advice.push(LAG_ADVICE);
  }
  if (gap.status === 'counted' && gap.count) {
    parts.push(`${countOf(gap.count, 'log')} of this range not yet searchable`);
    advice.push(GAP_ADVICE);
  }
  if (parts.length > 0) return { tone: 'warning', text: parts.join('; '), advice: advice.join(' ') };
  if (lag === null || gap.status !== 'counted') return { tone: 'default', text: gap.status === 'pending' ? 'checking freshness…' : 'freshness unknown' };
  return { tone: 'success', text: 'search is up to date' };
}
