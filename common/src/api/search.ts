import { z } from 'zod';

/** A log as the search API answers it. */
export const logRecordSchema = z.object({
  id: z.string(),
  receivedAt: z.string(),
  level: z.string(),
  message: z.string(),
  timestamp: z.string(),
  resourceId: z.string().optional(),
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  commit: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const searchHitSchema = logRecordSchema.extend({
  highlight: z.array(z.string()).optional().describe('message fragments, HTML-escaped, matches in <mark>'),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

/** One page of `GET /api/logs/search`. */
export interface SearchPage {
  total: number;
  totalRelation: 'eq' | 'gte';
  hits: SearchHit[];
  nextCursor: string | null;
  tookMs: number;
}
