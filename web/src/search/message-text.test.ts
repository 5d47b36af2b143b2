import { describe, expect, it } from 'vitest';
import { firstLineSegments, messagePreview, readableJson } from './message-text.ts';

const TRACE = 'java.lang.IllegalStateException: boom\n\tat com.shop.Checkout.pay(Checkout.java:42)\n\tat com.shop.Main.main(Main.java:7)\n';

describe('multi-line messages', () => {
  it('previews the first line and counts the rest, trailing blank lines aside', () => {
    expect(messagePreview(TRACE)).toEqual({ first: 'java.lang.IllegalStateException: boom', more: 2 });
    expect(messagePreview('one line')).toEqual({ first: 'one line', more: 0 });
    expect(messagePreview('a\r\nb')).toEqual({ first: 'a', more: 1 });
  });

  it('keeps the highlighted segments of the first line only', () => {
    const segments = [
      { text: 'Failed ', marked: false },
      { text: 'boom', marked: true },
      { text: ' here\n\tat x', marked: false },
      { text: 'boom', marked: true },
    ];
    expect(firstLineSegments(segments)).toEqual([
      { text: 'Failed ', marked: false },
      { text: 'boom', marked: true },
      { text: ' here', marked: false },
    ]);
  });

  it('shows JSON with the message as lines, never \\n or \\t escapes, and other escapes kept', () => {
    const log = { id: 'x', message: TRACE, metadata: { quote: 'say "hi"', n: 3, list: [1, 'a'], empty: {} } };
    const text = readableJson(log);
    expect(text).not.toContain('\\n');
    expect(text).not.toContain('\\t');
    expect(text.split('\n')).toContain('\tat com.shop.Checkout.pay(Checkout.java:42)');
    expect(text).toContain('"quote": "say \\"hi\\""');
    // Without line breaks it is JSON.stringify's layout.
    const flat = { ...log, message: 'one line' };
    expect(readableJson(flat)).toBe(JSON.stringify(flat, null, 2));
  });
});
