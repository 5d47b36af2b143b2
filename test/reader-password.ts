/**
 * The password the pipeline tests give the cluster-wide SQL role `logflow_reader` (there is no
 * default): set by the global setup, put back as it was at the end of the run.
 */
export const TEST_READER_PASSWORD = 'logflow-test-reader';
