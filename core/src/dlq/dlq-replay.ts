import type { DeadLetterEntry } from '@logflow/common';
import { Partitioners, type Kafka } from 'kafkajs';
import type { Pool } from '../postgres.ts';
import { dlqRanges, scanDeadLetters } from './dlq-reader.ts';

/** Header on a replayed record naming the dead letter it came from. */
export const REPLAYED_FROM_HEADER = 'logflow-replayed-from';

export type ReplayTarget = { partition: number; offset: bigint } | { all: true; sink?: string };

export interface DlqReplayResult {
  replayed: number;
  /** Dead letters left out: replayed before, of another sink, or a second copy of the same source record. */
  skipped: number;
  notFound: boolean;
}

/**
 * Sends dead letters back through the pipeline: each goes to the topic it came from with
 * its key, value and place unchanged, so both sinks take it again. That is safe for the one
 * that stored it already (Postgres: ON CONFLICT DO NOTHING; Elasticsearch: same `_id` in the
 * same daily index). `dlq_replays` remembers what was replayed, so "all" sends each dead
 * letter once; one named dead letter is sent whenever asked.
 */
export async function replayDeadLetters(kafka: Kafka, pool: Pool, dlqTopic: string, target: ReplayTarget): Promise<DlqReplayResult> {
  const result: DlqReplayResult = { replayed: 0, skipped: 0, notFound: false };
  const ranges = await dlqRanges(kafka, dlqTopic);
  const wanted =
    'all' in target
      ? ranges
      : ranges.filter((r) => r.partition === target.partition && target.offset >= r.from && target.offset < r.to).map((r) => ({ ...r, from: target.offset, to: target.offset + 1n }));
  if (wanted.length === 0 || wanted.every((r) => r.to <= r.from)) {
    return { ...result, notFound: !('all' in target) };
  }

  const done = 'all' in target ? await replayedPositions(pool, dlqTopic) : new Set<string>();
  const sources = new Set<string>();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await scanDeadLetters(kafka, dlqTopic, wanted, async (letters) => {
      const send: DeadLetterEntry[] = [];
      const mark: DeadLetterEntry[] = [];
      for (const letter of letters) {
        const source = `${letter.source.topic}/${letter.source.partition}/${letter.source.offset}`;
        if ('all' in target) {
          if (done.has(`${letter.partition}/${letter.offset}`)) continue;
          if (target.sink !== undefined && letter.sink !== target.sink) continue;
          // Both sinks may have dead-lettered the same record: one copy goes back, both count as replayed.
          if (sources.has(source)) {
            mark.push(letter);
            continue;
          }
        }
        sources.add(source);
        send.push(letter);
        mark.push(letter);
      }
      result.skipped += letters.length - send.length;
      await resend(producer, dlqTopic, send);
      await markReplayed(pool, dlqTopic, mark);
      result.replayed += send.length;
    });
  } finally {
    await producer.disconnect();
  }
  return result;
}

async function resend(producer: ReturnType<Kafka['producer']>, dlqTopic: string, letters: DeadLetterEntry[]): Promise<void> {
  if (letters.length === 0) return;
  const byTopic = new Map<string, DeadLetterEntry[]>();
  for (const letter of letters) {
    const group = byTopic.get(letter.source.topic) ?? [];
    group.push(letter);
    byTopic.set(letter.source.topic, group);
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, group]) => ({
      topic,
      messages: group.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: { [REPLAYED_FROM_HEADER]: `${dlqTopic}/${letter.partition}/${letter.offset}` },
      })),
    })),
  });
}

async function replayedPositions(pool: Pool, topic: string): Promise<Set<string>> {
  const rows = await pool.query<{ partition: number; offset: string }>('SELECT partition, "offset" FROM dlq_replays WHERE topic = $1', [topic]);
  return new Set(rows.rows.map((r) => `${r.partition}/${r.offset}`));
}

/** Marks dead letters as replayed. */
async function markReplayed(pool: Pool, topic: string, letters: DeadLetterEntry[]): Promise<void> {
  if (letters.length === 0) return;
  await pool.query(
    `INSERT INTO dlq_replays (topic, partition, "offset")
     SELECT $1, p, o FROM unnest($2::int[], $3::bigint[]) AS t(p, o)
     ON CONFLICT (topic, partition, "offset") DO UPDATE SET replayed_at = now()`,
    [topic, letters.map((l) => l.partition), letters.map((l) => l.offset)],
  );
}

/** When each dead letter of the topic was last replayed, by `partition/offset`. */
export async function replayTimes(pool: Pool, topic: string): Promise<Map<string, string>> {
  const rows = await pool.query<{ partition: number; offset: string; replayed_at: Date }>('SELECT partition, "offset", replayed_at FROM dlq_replays WHERE topic = $1', [topic]);
  return new Map(rows.rows.map((r) => [`${r.partition}/${r.offset}`, r.replayed_at.toISOString()]));
}
