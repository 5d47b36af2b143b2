import { authHeaders, session } from '../auth/session.ts';
import { errorOf } from './http.ts';

/**
 * Saves what `url` answers as a file. Without an API key a plain link streams straight to disk;
 * with one the browser must send the header, so the answer is read into a Blob first.
 */
export async function download(url: string): Promise<void> {
  const link = document.createElement('a');
  if (!session.apiKey) {
    link.href = url;
    link.download = '';
    link.click();
    return;
  }
  const response = await fetch(url, { headers: authHeaders() });
  if (!response.ok) throw await errorOf(response);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'logflow-export';
  const objectUrl = URL.createObjectURL(await response.blob());
  link.href = objectUrl;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
}
