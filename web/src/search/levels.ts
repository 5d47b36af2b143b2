/** One colour per level, the same in the histogram, the level tags and the tail. */
export const LEVEL_COLORS: Record<string, string> = {
  trace: '#a0a0a8',
  debug: '#70a0d0',
  info: '#2080f0',
  warn: '#f0a020',
  error: '#d03050',
  fatal: '#7a1030',
};

export const LEVEL_TAG_TYPES: Record<string, 'default' | 'info' | 'success' | 'warning' | 'error'> = {
  trace: 'default',
  debug: 'default',
  info: 'info',
  warn: 'warning',
  error: 'error',
  fatal: 'error',
};
