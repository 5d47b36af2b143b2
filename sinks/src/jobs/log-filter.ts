/** Which logs a job looks at besides their receivedAt range. */
export interface LogFilter {
  resourceIds?: readonly string[];
  levels?: readonly string[];
  /**
   * Retention's cutoff (epoch ms): logs with a timestamp or a receivedAt before it may have
   * been dropped from one store and not yet from the other, so neither side counts them.
   */
  keptFrom?: number;
}
