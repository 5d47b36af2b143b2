import type { Batch, ConsumerConfig, ConsumerEvents, ConsumerRunConfig, EachBatchHandler, KafkaMessage, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { SinkKafka, SinkKafkaConsumer } from './sink-consumer.ts';

// For unit tests only: a consumer with kafkajs's eachBatch contract, driven by the test instead of a broker.

const EVENTS: ConsumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
};

/** `count` records of `partition` from `firstOffset`, `bytes` each, as one kafkajs batch. */
export function fakeBatch(topic: string, partition: number, firstOffset: number, count: number, bytes = 10): Batch {
  const messages: KafkaMessage[] = Array.from({ length: count }, (_, i) => ({
    key: null,
    value: Buffer.alloc(bytes, 0x61),
    timestamp: '0',
    attributes: 0,
    offset: String(firstOffset + i),
    headers: {},
  }));
  const last = String(firstOffset + count - 1);
  return {
    topic,
    partition,
    highWatermark: String(firstOffset + count),
    messages,
    isEmpty: () => count === 0,
    firstOffset: () => (count === 0 ? null : String(firstOffset)),
    lastOffset: () => last,
    offsetLag: () => '0',
    offsetLagLow: () => '0',
  };
}

/**
 * What the runner does to Kafka, in order ('pause', 'commit 0:20 1:5', 'seek 0:7',
 * 'disconnect'), and the batches it is handed as kafkajs would hand them: one eachBatch call
 * at a time, which returns when the handler does.
 */
export class FakeConsumer implements SinkKafkaConsumer {
  readonly events = EVENTS;
  readonly actions: string[] = [];
  /** The config the runner built the consumer with. */
  config: ConsumerConfig | undefined;
  /** The next commits to fail, with this error each. */
  readonly failingCommits: Error[] = [];
  /** Each heartbeat the handler sends; set to a rejecting function to answer as a rebalancing coordinator would. */
  heartbeat: () => Promise<void> = async () => undefined;
  private running = false;
  private handler: EachBatchHandler | undefined;
  private readonly listeners = new Map<string, ((event: unknown) => void)[]>();

  async connect(): Promise<void> {}

  async subscribe(): Promise<void> {}

  async run(config?: ConsumerRunConfig): Promise<void> {
    if (config?.autoCommit !== false || config.eachBatchAutoResolve !== false) throw new Error('the fake serves only autoCommit: false, eachBatchAutoResolve: false');
    this.handler = config.eachBatch;
    this.running = true;
  }

  on = ((eventName: string, listener: (event: unknown) => void) => {
    this.listeners.set(eventName, [...(this.listeners.get(eventName) ?? []), listener]);
    return () => undefined;
  }) as SinkKafkaConsumer['on'];

  seek({ partition, offset }: { partition: number; offset: string }): void {
    this.actions.push(`seek ${partition}:${offset}`);
  }

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    const failure = this.failingCommits.shift();
    this.actions.push(`${failure ? 'failed commit' : 'commit'} ${offsets.map((o) => `${o.partition}:${o.offset}`).join(' ')}`);
    if (failure) throw failure;
  }

  pause(): void {
    this.actions.push('pause');
  }

  async disconnect(): Promise<void> {
    this.running = false;
    this.actions.push('disconnect');
  }

  /** As kafkajs stopping: `isRunning()` turns false for the handler. */
  stopRunning(): void {
    this.running = false;
  }

  /** The offsets committed so far, per partition (the latest), as `partition:offset` in the order sent. */
  get commits(): string[] {
    return this.actions.filter((a) => a.startsWith('commit ')).flatMap((a) => a.slice('commit '.length).split(' '));
  }

  /** The group assigned these partitions of `topic` to this member. */
  join(topic: string, partitions: number[]): void {
    this.emit(this.events.GROUP_JOIN, { payload: { memberAssignment: { [topic]: partitions } } });
  }

  /** The consumer crashed; kafkajs restarts it unless `restart` is false. */
  crash(error: Error, restart: boolean): void {
    this.emit(this.events.CRASH, { payload: { error, restart } });
  }

  /**
   * Hands one batch to the runner and resolves when its eachBatch returns: with the offset it
   * resolved (the fetch position moves past it), or undefined (the batch comes again).
   */
  async deliver(batch: Batch): Promise<string | undefined> {
    if (!this.handler) throw new Error('the runner has not called run()');
    let resolved: string | undefined;
    await this.handler({
      batch,
      resolveOffset: (offset) => void (resolved = offset),
      heartbeat: () => this.heartbeat(),
      pause: () => () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => this.running,
      isStale: () => false,
    });
    return resolved;
  }

  private emit(eventName: string, event: unknown): void {
    for (const listener of this.listeners.get(eventName) ?? []) listener(event);
  }
}

/** A `Kafka` whose consumer is `consumer`; the admin client answers lag questions with nothing. */
export function fakeKafka(consumer: FakeConsumer): SinkKafka {
  return {
    consumer: (config) => {
      consumer.config = config;
      return consumer;
    },
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicOffsets: async () => [],
      fetchOffsets: async () => [],
    }),
  };
}
