import { READER_ROLE } from '@logflow/core';

/**
 * DATABASE_URL with the reader's name and password instead of the owner's. The SQL console
 * logs in as the reader rather than switching to it with SET ROLE: a session that started as
 * a superuser could switch back inside one statement (set_config('role', …)).
 */
export function readerConnectionString(databaseUrl: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = READER_ROLE;
  url.password = encodeURIComponent(password);
  return url.toString();
}
