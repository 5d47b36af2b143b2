/**
 * Scripts the dashboard benchmark runs inside the page, as strings: the benchmark is type-checked
 * without the DOM's types, and these run in the browser only.
 */

/** Before any page script: notes when the first log row is in a frame (the rAF after it was added). */
export const FIRST_ROWS_PROBE = `
  new MutationObserver((_, observer) => {
    if (!document.querySelector('[data-testid=log-row]')) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstRowsAt = performance.now(); });
  }).observe(document, { childList: true, subtree: true });
`;

export interface NavigationTiming {
  /** ms since navigation start, as every figure here. */
  firstRows: number;
  firstContentfulPaint: number | null;
  searchStart: number | null;
  searchEnd: number | null;
  searchUrl: string | null;
}

export const FIRST_ROWS_READY = 'window.__firstRowsAt !== undefined';

export const NAVIGATION_TIMING = `(() => {
  const search = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/api/logs/search'));
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    firstRows: window.__firstRowsAt,
    firstContentfulPaint: fcp ? fcp.startTime : null,
    searchStart: search ? search.startTime : null,
    searchEnd: search ? search.responseEnd : null,
    searchUrl: search ? search.name : null,
  };
})()`;

/** Bytes of JavaScript that came over the network (compressed, as sent; none from the cache). */
export const SCRIPT_BYTES_SENT = `performance.getEntriesByType('resource')
  .filter((entry) => entry.name.endsWith('.js'))
  .reduce((sum, entry) => sum + entry.transferSize, 0)`;

export const HISTOGRAM_DRAWN = `document.querySelector('[data-testid=histogram] canvas') !== null`;

export interface ScrollFrames {
  frames: number[];
  rowsScrolled: number;
  rowsLoaded: number;
  rowsInPage: number;
  seconds: number;
}

/**
 * Scrolls the results list 10 rows a frame until `rows` rows have gone by (pages load by cursor
 * as it goes; at the end of what is loaded it waits for the next page), noting every frame's length.
 */
export const scrollThrough = (rows: number, rowHeight: number, timeoutMs: number) => `(async () => {
  const list = document.querySelector('.results .v-vl');
  const frames = [];
  const started = performance.now();
  let last = started;
  while (list.scrollTop < ${rows * rowHeight} && performance.now() - started < ${timeoutMs}) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    frames.push(now - last);
    last = now;
    list.scrollTop += ${10 * rowHeight};
  }
  return {
    frames,
    rowsScrolled: Math.round(list.scrollTop / ${rowHeight}),
    rowsLoaded: Number(document.querySelector('.results').getAttribute('aria-rowcount')),
    rowsInPage: document.querySelectorAll('[data-testid=log-row]').length,
    seconds: (performance.now() - started) / 1000,
  };
})()`;
