/** The levels a log may have, lowest first: the ingester's schema, the query language and the dashboard's colours. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
