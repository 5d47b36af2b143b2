/** What the pipeline tests read from an HTTP answer: status, headers and the body, parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** One request with an API key in `Authorization: <scheme> <key>` (none without a key). */
export async function callApi(url: string, key: string | undefined, init: RequestInit = {}, scheme = 'Bearer'): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (key) headers.set('authorization', `${scheme} ${key}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // NDJSON, CSV or plain text stays a string.
  }
  return { status: response.status, headers: response.headers, body };
}
