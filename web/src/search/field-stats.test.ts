import { describe, expect, it } from 'vitest';
import { filterable, groupFields, share, valueSuggestions } from './field-stats.ts';

const field = (name: string, type = 'keyword', values = [{ value: 'a', count: 1 }]) => ({ field: name, type, count: 1, values, otherCount: 0 });

describe('field sidebar and filter suggestions', () => {
  it('suggests values whose label is the bare value (what picking one writes), the count apart', () => {
    const top = {
      values: [
        { value: 'checkout-7f9c', count: 294 },
        { value: 'cart-1', count: 3 },
      ],
    };
    const options = valueSuggestions(top, 'CHECK');
    expect(options).toEqual([{ label: 'checkout-7f9c', value: 'checkout-7f9c', count: 294 }]);
    expect(options[0].label).not.toContain('294');
  });

  it('groups built-in and metadata fields, narrowed by name', () => {
    const fields = [field('level'), field('resourceId'), field('metadata.region'), field('metadata.pod.name')];
    expect(groupFields(fields, '')).toEqual({ builtIn: [fields[0], fields[1]], metadata: [fields[2], fields[3]] });
    expect(groupFields(fields, ' REG')).toEqual({ builtIn: [], metadata: [fields[2]] });
  });

  it('gives shares in whole percents, a sliver as <1%', () => {
    expect(share(294, 1000)).toEqual({ percent: 29.4, text: '29%' });
    expect(share(1, 1000).text).toBe('<1%');
    expect(share(0, 0)).toEqual({ percent: 0, text: '0%' });
  });

  it('offers values as filters except for dates and uncounted fields', () => {
    expect(filterable(field('level'))).toBe(true);
    expect(filterable(field('timestamp', 'date', []))).toBe(false);
    expect(filterable(field('metadata.mixed', 'keyword|long', []))).toBe(false);
  });
});
