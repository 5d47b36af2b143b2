/** A dead letter as the DLQ tools show it: where it sits in the DLQ and why it is there. */
export interface DeadLetterEntry {
  partition: number;
  offset: string;
  deadAt: string;
  sink: string;
  reason: string;
  source: { topic: string; partition: number; offset: string };
  key: string | null;
  /** The record as the sink got it (JSON text, or whatever was on the topic). */
  value: string;
  /** The log's id when the value is a record that has one. */
  logId: string | null;
}
