import { describe, expect, it } from 'vitest';
import example from '../../test/fixtures/example_log.json' with { type: 'json' };
import { BrokenLine, parseNdjsonBody } from './body-parsers.ts';
import { validateItems } from './validate-items.ts';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const HOUR = 3_600_000;

describe('validateItems', () => {
  it('keeps the valid items and reports each invalid one with its index, field and rule', () => {
    const { valid, errors } = validateItems([example, { ...example, level: 'loud' }, example, { message: 'x' }], {}, NOW);
    expect(valid.map((v) => v.index)).toEqual([0, 2]);
    expect(errors).toContainEqual(expect.objectContaining({ index: 1, field: 'level', rule: 'invalid_value' }));
    expect(
      errors
        .filter((e) => e.index === 3)
        .map((e) => e.field)
        .sort(),
    ).toEqual(['level', 'timestamp']);
  });

  it('reports a broken NDJSON line as an invalid item', () => {
    const items = parseNdjsonBody(Buffer.from(`${JSON.stringify(example)}\n{"level":\n\n${JSON.stringify(example)}\n`));
    expect(items).toHaveLength(3);
    expect(items[1]).toBeInstanceOf(BrokenLine);
    const { valid, errors } = validateItems(items, {}, NOW);
    expect(valid.map((v) => v.index)).toEqual([0, 2]);
    expect(errors).toEqual([expect.objectContaining({ index: 1, rule: 'invalid_json' })]);
  });

  it("moves unknown fields into metadata, and refuses one that clashes with the schema's words", () => {
    const { valid, errors } = validateItems(
      [
        { ...example, region: 'eu', level: 'WARN' },
        { ...example, parentResourceId: 'other' },
      ],
      {},
      NOW,
    );
    expect(valid).toEqual([{ index: 0, event: expect.objectContaining({ level: 'warn', metadata: { parentResourceId: 'server-0987', region: 'eu' } }) }]);
    expect(errors).toEqual([{ index: 1, field: 'parentResourceId', rule: 'custom', message: 'unknown field also present as metadata.parentResourceId' }]);
  });

  it('reports a body that is not an object as such', () => {
    expect(validateItems(['hello'], {}, NOW).errors[0]).toMatchObject({ index: 0, field: '(log)', rule: 'invalid_type' });
  });

  describe('timestamp window (off by default)', () => {
    const at = (offsetMs: number) => ({ ...example, timestamp: new Date(NOW + offsetMs).toISOString() });

    it('accepts any past timestamp when no window is set', () => {
      expect(validateItems([example], {}, NOW).valid).toHaveLength(1);
    });

    it('refuses too old at the edge', () => {
      const window = { maxPastMs: 24 * HOUR };
      expect(validateItems([at(-24 * HOUR)], window, NOW).errors).toEqual([]);
      expect(validateItems([at(-24 * HOUR - 1)], window, NOW).errors[0]).toMatchObject({ field: 'timestamp', rule: 'too_old' });
    });

    it('refuses too far ahead at the edge', () => {
      const window = { maxFutureMs: HOUR };
      expect(validateItems([at(HOUR)], window, NOW).errors).toEqual([]);
      expect(validateItems([at(HOUR + 1)], window, NOW).errors[0]).toMatchObject({ field: 'timestamp', rule: 'too_far_ahead' });
    });
  });
});
