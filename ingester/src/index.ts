// @logflow/ingester: the `ingester` role.
export { startIngester } from './main.ts';
