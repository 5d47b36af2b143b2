// @logflow/query: the `query` role.
export { startQuery } from './main.ts';
