/** Headers of a dead letter: which sink refused it, why, and where it came from. */
export const DLQ_HEADERS = {
  sink: 'logflow-sink',
  reason: 'logflow-reason',
  sourceTopic: 'logflow-source-topic',
  sourcePartition: 'logflow-source-partition',
  sourceOffset: 'logflow-source-offset',
} as const;
