// @logflow/common: what the dashboard and the server both need. Browser-safe: no node:* and no I/O.
export { isJobName, JOB_NAMES, type JobName } from './admin-jobs.ts';
export type { DeadLetterEntry } from './api/dead-letters.ts';
export { API_KEY_ROLES, type ApiKey, type ApiKeyRole, type AuditEntry, type AuditQuery, type AuditRow, type NewApiKey } from './api/keys.ts';
export { pipelineStatusSchema, type PipelineStatus } from './api/pipeline.ts';
export { logRecordSchema, searchHitSchema, type SearchHit, type SearchPage } from './api/search.ts';
export type { SqlResult, SqlSchema } from './api/sql.ts';
export { LOG_LEVELS, type LogLevel } from './log-levels.ts';
export { QuerySyntaxError, type QueryNode, type QueryValue, type RangeBound } from './query-language/ast.ts';
export { parseQuery } from './query-language/parse.ts';
export { parseTimeExpression, TIME_EXPRESSION_HELP } from './time-expression.ts';
