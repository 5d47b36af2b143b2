import { LogIdGenerator } from '@logflow/core';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A client of the ingester that keeps what the chaos run's pass criterion needs: every id it
 * got a 2xx for. A batch that fails (5xx, 429, a broken connection) is sent again, same ids and
 * bytes, until it is acknowledged, as a well-behaved client does; so no id ever reaches the
 * stores without being acknowledged in the end.
 */
export interface LoadOptions {
  ingesterUrl: string;
  resourceId: string;
  /** Logs per request. */
  batchSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Upper bound on logs sent per second (new batches only; retries come on top). */
  logsPerSecond: number;
  /** Extra fields for a given log (the poison record). */
  decorate?: (log: Record<string, unknown>, sequence: number) => void;
}

export interface LoadFigures {
  acknowledged: number;
  /** Logs in 2xx answers, a retried batch's too: what the ingester's ledger counts. */
  acknowledgedInAnswers: number;
  failedAttempts: number;
  /** Logs in attempts that got no answer at all (timed out, connection lost): the ingester may have counted them. */
  unansweredLogs: number;
  /** Times of 2xx answers (ms since epoch). */
  answeredAt: number[];
  /** How long each acknowledged request took, ms. */
  latencies: number[];
}

export class LoadGenerator {
  readonly acknowledged = new Set<string>();
  /** Every log made, as sent: what each store must hold of an acknowledged one, field by field. */
  readonly sent = new Map<string, Record<string, unknown>>();
  private acknowledgedInAnswers = 0;
  private failedAttempts = 0;
  private unansweredLogs = 0;
  private readonly answeredAt: number[] = [];
  private readonly latencies: number[] = [];
  private sequence = 0;
  private stopping = false;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: LoadOptions) {}

  /** Starts sending; `total` stops making new batches once that many logs were made. */
  start(total = Number.POSITIVE_INFINITY): void {
    const { concurrency, batchSize, logsPerSecond } = this.options;
    const pause = (1000 * batchSize * concurrency) / logsPerSecond;
    this.workers = Array.from({ length: concurrency }, async (_, worker) => {
      await sleep((pause / concurrency) * worker);
      while (!this.stopping && this.sequence < total) {
        const started = Date.now();
        await this.sendUntilAcknowledged(this.makeBatch(Math.min(batchSize, total - this.sequence)));
        await sleep(Math.max(0, pause - (Date.now() - started)));
      }
    });
  }

  /** Makes no new batches and resolves once every batch made was acknowledged. */
  async finish(): Promise<LoadFigures> {
    this.stopping = true;
    await Promise.all(this.workers);
    return this.figures();
  }

  /** Resolves once `total` logs were made and acknowledged (start(total) first). */
  async done(): Promise<LoadFigures> {
    await Promise.all(this.workers);
    return this.figures();
  }

  figures(): LoadFigures {
    return {
      acknowledged: this.acknowledged.size,
      acknowledgedInAnswers: this.acknowledgedInAnswers,
      failedAttempts: this.failedAttempts,
      unansweredLogs: this.unansweredLogs,
      answeredAt: [...this.answeredAt],
      latencies: [...this.latencies],
    };
  }

  private readonly ids = new LogIdGenerator();

  private makeBatch(size: number): { ids: string[]; body: string } {
    const timestamp = new Date().toISOString();
    const logs = Array.from({ length: size }, () => {
      const sequence = this.sequence++;
      const log: Record<string, unknown> = {
        id: this.ids.next(),
        level: sequence % 10 === 0 ? 'error' : 'info',
        message: `chaos log ${sequence} of ${this.options.resourceId}`,
        timestamp,
        resourceId: this.options.resourceId,
        traceId: `trace-${sequence % 1000}`,
        // Every field a client may send, in a share of the logs: content is compared, not only ids.
        ...(sequence % 3 === 0 ? { spanId: `span-${sequence}`, commit: 'c0ffee1' } : {}),
        metadata: { sequence, shape: sequence % 7, ...(sequence % 5 === 0 ? { user: { name: 'zoë', tags: ['a', 'b'] }, note: 'multi\nline' } : {}) },
      };
      this.options.decorate?.(log, sequence);
      this.sent.set(log.id as string, log);
      return log;
    });
    return { ids: logs.map((log) => log.id as string), body: JSON.stringify(logs) };
  }

  private async sendUntilAcknowledged({ ids, body }: { ids: string[]; body: string }): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const sent = Date.now();
      try {
        const response = await fetch(`${this.options.ingesterUrl}/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const answer = await response.text();
        if (response.status === 202) {
          this.answeredAt.push(Date.now());
          this.latencies.push(Date.now() - sent);
          this.acknowledgedInAnswers += ids.length;
          for (const id of ids) this.acknowledged.add(id);
          return;
        }
        // 207 or 400 would mean the generator made invalid logs: a bug of the run, not a fault.
        if (response.status < 500 && response.status !== 429) throw new Error(`the ingester refused a batch (${response.status}): ${answer.slice(0, 300)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('the ingester refused')) throw error;
        this.unansweredLogs += ids.length;
      }
      this.failedAttempts++;
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
}
