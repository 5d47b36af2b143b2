import type { HighlightSegment } from './highlight.ts';

/** A message's first line, and how many lines follow it (trailing blank lines not counted). */
export function messagePreview(message: string): { first: string; more: number } {
  const lines = message.replace(/\s+$/, '').split(/\r?\n/);
  return { first: lines[0] ?? '', more: lines.length - 1 };
}

/** The highlighted segments of a message's first line only. */
export function firstLineSegments(segments: readonly HighlightSegment[]): HighlightSegment[] {
  const first: HighlightSegment[] = [];
  for (const segment of segments) {
    const end = segment.text.search(/\r?\n/);
    if (end === -1) {
      first.push(segment);
      continue;
    }
    if (end > 0) first.push({ ...segment, text: segment.text.slice(0, end) });
    break;
  }
  return first;
}

function quoted(text: string): string {
  // Line breaks and tabs stay as they are, so a stack trace reads as lines; the rest is escaped as JSON escapes it.
  if (!/[\n\t]/.test(text)) return JSON.stringify(text);
  return text
    .split(/(\r?\n|\t)/)
    .map((part) => (part === '\n' || part === '\r\n' || part === '\t' ? part : JSON.stringify(part).slice(1, -1)))
    .join('')
    .replace(/^/, '"')
    .concat('"');
}

/**
 * JSON laid out for reading: like JSON.stringify(value, null, 2), except that strings keep their
 * line breaks and tabs instead of `\n` and `\t` escapes. For display only (copying uses real JSON).
 */
export function readableJson(value: unknown, indent = ''): string {
  if (typeof value === 'string') return quoted(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${readableJson(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${readableJson(v, inner)}`).join(',\n')}\n${indent}}`;
}
