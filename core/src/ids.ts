import { v7 as uuidv7 } from 'uuid';

/** Time-ordered ids keep Elasticsearch and Postgres inserts close to append-only. */
export function newLogId(): string {
  return uuidv7();
}
