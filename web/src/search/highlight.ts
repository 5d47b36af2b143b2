export interface HighlightSegment {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#39;': "'", '&#x2F;': '/' };

function decode(html: string): string {
  return html.replace(/&(?:amp|lt|gt|quot|#x27|#39|#x2F);/g, (entity) => ENTITIES[entity]);
}

/**
 * Splits an API highlight (HTML-escaped text with matches in <mark>) into plain-text segments,
 * so it renders as text nodes and never as HTML.
 */
export function highlightSegments(html: string): HighlightSegment[] {
  const segments: HighlightSegment[] = [];
  const parts = html.split(/(<mark>.*?<\/mark>)/s);
  for (const part of parts) {
    if (!part) continue;
    const marked = part.startsWith('<mark>') && part.endsWith('</mark>');
    segments.push({ text: decode(marked ? part.slice(6, -7) : part), marked });
  }
  return segments;
}
