import { startFirstSearch } from './search/first-search.ts';

startFirstSearch();
