// Types for the TypeScript callers of kafka.mjs (the chaos run starts a Kafka of its own).
export interface KafkaEngine {
  name: string;
  port: number;
  envKey: 'KAFKA_BROKERS';
  envValue: string;
  logFile: string;
  probe(): Promise<boolean>;
  start(options: { log: (line: string) => void; user: { uid: number; gid: number; name: string } | null }): Promise<number>;
  stop(pid: number, options: { log?: (line: string) => void }): Promise<boolean>;
}

export function kafkaEngine(options?: { name?: string; port?: number; controllerPort?: number; dir?: string }): KafkaEngine;
export const kafka: KafkaEngine;
