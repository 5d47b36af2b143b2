// @logflow/ingester: the `ingester` role.
export { startIngester } from './main.ts';
// The OTLP logs codec, for benchmarks that send what an OpenTelemetry SDK sends.
export { ExportLogsServiceRequest as OtlpExportLogsServiceRequest } from './protocols/otlp-proto.ts';
