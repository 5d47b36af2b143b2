import type { PipelineStatus } from '../api/admin.ts';

export interface OffsetSample {
  at: number;
  /** Records written to the log topic so far: the sum of its partitions' end offsets. */
  written: number;
}

/** The end offsets are the same for every group: count one group's partitions only. */
export function offsetSample(status: PipelineStatus, at: number): OffsetSample {
  const group = status.consumerLag[0]?.group;
  const written = status.consumerLag.filter((row) => row.group === group).reduce((sum, row) => sum + row.end, 0);
  return { at, written };
}

/** Logs per second between two samples; undefined without a usable interval. */
export function ingestRate(previous: OffsetSample | undefined, next: OffsetSample): number | undefined {
  if (!previous || next.at <= previous.at || next.written < previous.written) return undefined;
  return ((next.written - previous.written) * 1000) / (next.at - previous.at);
}
