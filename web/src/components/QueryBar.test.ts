import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import QueryBar from './QueryBar.vue';

describe('QueryBar', () => {
  it('marks the character where the query is wrong and says why', () => {
    const wrapper = mount(QueryBar, {
      props: { modelValue: 'level:error AND', error: { message: 'expected a clause after AND', position: 15 }, history: [], loading: false },
    });
    const error = wrapper.get('[data-testid=query-error]');
    expect(error.attributes('role')).toBe('alert');
    expect(error.get('.error-at').text()).toBe('');
    expect(error.get('.query-echo').text()).toBe('level:error AND');
    expect(error.text()).toContain('expected a clause after AND');
    expect(wrapper.get('input').attributes('aria-invalid')).toBe('true');
  });

  it('marks the offending character inside the query', () => {
    const wrapper = mount(QueryBar, { props: { modelValue: 'a ) b', error: { message: "unexpected ')'", position: 2 }, history: [], loading: false } });
    expect(wrapper.get('.error-at').text()).toBe(')');
  });

  it('submits on Enter and shows no error when there is none', async () => {
    const wrapper = mount(QueryBar, { props: { modelValue: 'timed out', history: ['level:error'], loading: false } });
    expect(wrapper.find('[data-testid=query-error]').exists()).toBe(false);
    await wrapper.get('input').trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('submit')).toHaveLength(1);
  });
});
