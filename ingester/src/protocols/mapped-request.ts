import type { TypedLogFields } from '@logflow/core';
import type { AcceptLogs } from '../accept-logs.ts';
import type { IngestMetrics } from '../ingest-metrics.ts';
import { MappedLog } from '../validate-items.ts';

/** A record a protocol's mapper refused before LogFlow's own validation, located in the request. */
export interface MappedRecordError {
  /** Where in the request, e.g. resourceLogs[0].scopeLogs[1].logRecords[2] or streams[0].values[3]. */
  location: string;
  field: string;
  rule: string;
  message: string;
}

/** What a protocol's mapper (OTLP, Loki) made of one request. */
export interface MappedRequest {
  /** LogFlow logs, each field of its type, for the shared acceptance path. */
  logs: TypedLogFields[];
  /** Where each of `logs` came from, for naming refusals. */
  locations: string[];
  errors: MappedRecordError[];
}

/** Refusals named in an answer; the count covers them all. */
const NAMED_REFUSALS = 5;

export interface AcceptedRequest {
  accepted: number;
  /** Records refused, by the mapper or by validation. */
  refused: number;
  /** The first refusals, `location: field: reason; …`. */
  named: string;
}

/**
 * Takes a mapped request the way every ingest endpoint takes logs (acceptLogs: validation, Kafka,
 * ledger), after counting the mapper's refusals in the metrics, and sums up what was refused.
 */
export async function acceptMappedRequest(mapped: MappedRequest, acceptLogs: AcceptLogs, metrics: IngestMetrics): Promise<AcceptedRequest> {
  for (const error of mapped.errors) metrics.rejected.inc({ reason: error.rule });
  // Mapped field by field, typed by construction: checked without the schema's generic pass (see MappedLog).
  const { errors, records } = await acceptLogs(mapped.logs.map((log) => new MappedLog(log)));
  const refusals = [...mapped.errors.map((e) => ({ location: e.location, message: e.message })), ...errors.map((e) => ({ location: mapped.locations[e.index]!, message: `${e.field}: ${e.message}` }))];
  const named = refusals.slice(0, NAMED_REFUSALS).map((r) => `${r.location}: ${r.message}`);
  return {
    accepted: records.length,
    refused: new Set(refusals.map((r) => r.location)).size,
    named: `${named.join('; ')}${refusals.length > NAMED_REFUSALS ? '; …' : ''}`,
  };
}
