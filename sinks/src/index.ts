// @logflow/sinks: the `es-sink`, `pg-sink` and `reconciler` roles, and the pieces the benchmarks drive directly.
export { ES_BULK_CONCURRENCY, ES_BULK_LIMITS, startEsSink } from './es-sink.ts';
export { copyRange } from './jobs/copy-range.ts';
export { writeDocs } from './jobs/es-docs.ts';
export { reconcileRange } from './jobs/reconcile.ts';
export { LOG_COLUMNS, toCopyLine } from './pg-rows.ts';
export { fetchOnFirstRecordWhenIdle } from './idle-fetch.ts';
export { startPgSink } from './pg-sink.ts';
export { startReconciler } from './reconciler.ts';
