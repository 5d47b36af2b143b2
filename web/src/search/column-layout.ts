/** Grid track widths of the result columns on a wide screen. */
const WIDE: Record<string, string> = {
  timestamp: '200px',
  receivedAt: '200px',
  level: '64px',
  resourceId: 'minmax(100px, 180px)',
  traceId: 'minmax(100px, 180px)',
  spanId: 'minmax(80px, 140px)',
  commit: '90px',
  message: 'minmax(200px, 1fr)',
};

/**
 * On a phone every column but the message shrinks (times lose their year), so that the
 * message keeps at least 100 px of a 390 px screen with the default columns.
 */
const NARROW: Record<string, string> = {
  timestamp: '104px',
  receivedAt: '104px',
  level: '44px',
  message: 'minmax(100px, 1fr)',
};

/** The grid-template-columns of the results: the expand caret, then each column. */
export function gridTemplate(columns: readonly string[], narrow: boolean): string {
  // A metadata column: as wide as a short value.
  if (!narrow) return `24px ${columns.map((c) => WIDE[c] ?? 'minmax(80px, 160px)').join(' ')}`;
  return `14px ${columns.map((c) => NARROW[c] ?? 'minmax(0, 64px)').join(' ')}`;
}
