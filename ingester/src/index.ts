// @logflow/ingester: the `ingester` role.
export { startIngester } from './main.ts';
// The OTLP logs codec, for benchmarks that send what an OpenTelemetry SDK sends, and each protocol's
// mapping, for benchmarks that send POST /logs the very logs a protocol's documents are stored as.
export { ExportLogsServiceRequest as OtlpExportLogsServiceRequest } from './protocols/otlp-proto.ts';
export { mapOtlpLogs } from './protocols/otlp.ts';
export { mapDocument as mapElasticDocument } from './protocols/elastic-bulk.ts';
