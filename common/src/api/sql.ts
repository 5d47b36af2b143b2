/** `POST /api/sql`: the rows of one read-only query. */
export interface SqlResult {
  columns: { name: string; dataTypeId: number }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  /** Why rows were left out: more than maxRows, or the answer reached maxResponseBytes. */
  truncatedBy?: 'rows' | 'bytes';
  /** Values cut to maxValueBytes characters (each then a string, whatever its column's type). */
  valuesTruncated: number;
  durationMs: number;
}

/** `GET /api/sql/schema`: the tables and columns the SQL console's login may read. */
export interface SqlSchema {
  tables: { name: string; columns: { name: string; type: string }[] }[];
}
