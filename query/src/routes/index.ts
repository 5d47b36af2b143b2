import type { Client } from '@elastic/elasticsearch';
import type { HttpServer } from '@logflow/core';
import type { Freshness } from '../freshness.ts';
import { PerKeySlots } from '../per-key-slots.ts';
import type { ScopedSqlLogins } from '../sql/scoped-logins.ts';
import type { SqlConsole } from '../sql/sql-console.ts';
import { registerExportRoute } from './export.ts';
import { registerFieldStatsRoute } from './field-stats.ts';
import { registerHistogramRoute } from './histogram.ts';
import { registerLogByIdRoutes } from './log-by-id.ts';
import { registerSearchRoutes } from './search.ts';
import { registerSqlRoute } from './sql.ts';
import { registerTailRoute, type TailRouteOptions } from './tail.ts';
import { registerTopValuesRoute } from './top-values.ts';

export interface QueryServices {
  /** Freshness figures in search answers; left out without it. */
  freshness?: Freshness;
  /** `POST /api/sql`; not served without it. */
  sqlConsole?: SqlConsole;
  /** The SQL console's logins of keys limited to resources. */
  scopedLogins?: ScopedSqlLogins;
  tail: TailRouteOptions;
  /** Regular expression and wildcard clauses one search may hold (default DEFAULT_MAX_PATTERN_CLAUSES). */
  maxPatternClauses?: number;
  /** Tails, exports and SQL statements one API key may run at once. */
  perKey: { maxTails: number; maxExports: number; maxSql: number };
}

/** Every route of the search API under /api/logs, and /api/sql; searches go to the installation's read alias. */
export function registerQueryRoutes(app: HttpServer, elasticsearch: Client, readAlias: string, services: QueryServices): void {
  const { maxPatternClauses } = services;
  registerSearchRoutes(app, { elasticsearch, readAlias, freshness: services.freshness, maxPatternClauses });
  registerHistogramRoute(app, { elasticsearch, readAlias, maxPatternClauses });
  registerTopValuesRoute(app, { elasticsearch, readAlias, maxPatternClauses });
  registerFieldStatsRoute(app, { elasticsearch, readAlias, maxPatternClauses });
  registerExportRoute(app, { elasticsearch, readAlias, slots: new PerKeySlots(services.perKey.maxExports, 'exports'), maxPatternClauses });
  registerTailRoute(app, { elasticsearch, readAlias, options: services.tail, slots: new PerKeySlots(services.perKey.maxTails, 'tails'), maxPatternClauses });
  registerLogByIdRoutes(app, { elasticsearch, readAlias });
  if (services.sqlConsole) registerSqlRoute(app, { sqlConsole: services.sqlConsole, scopedLogins: services.scopedLogins, slots: new PerKeySlots(services.perKey.maxSql, 'sql_statements') });
}
