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

  it('suggests the levels after level: and completes the one chosen with the keyboard', async () => {
    const wrapper = mount(QueryBar, { props: { modelValue: 'timeout AND level:e', history: [], loading: false }, attachTo: document.body });
    const input = wrapper.get('input');
    await input.trigger('focus');
    await input.trigger('click');
    const list = wrapper.get('[data-testid=query-suggestions]');
    expect(list.findAll('[role=option]').map((o) => o.text())).toEqual(['error']);
    await input.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('update:modelValue')?.at(-1)).toEqual(['timeout AND level:error ']);
    expect(wrapper.emitted('submit')).toBeUndefined();
    wrapper.unmount();
  });

  it('suggests top values of the field being typed, with their counts', async () => {
    const asked: string[] = [];
    const topValues = (field: string) => {
      asked.push(field);
      return Promise.resolve([
        { value: 'checkout-7f9c', count: 294 },
        { value: 'cart', count: 12 },
      ]);
    };
    const wrapper = mount(QueryBar, { props: { modelValue: 'resourceId:ch', history: [], loading: false, topValues }, attachTo: document.body });
    await wrapper.get('input').trigger('focus');
    await wrapper.get('input').trigger('click');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked).toEqual(['resourceId']);
    const options = wrapper.findAll('[role=option]');
    expect(options.map((o) => o.text())).toEqual(['checkout-7f9c294']);
    await options[0].trigger('mousedown');
    expect(wrapper.emitted('update:modelValue')?.at(-1)).toEqual(['resourceId:checkout-7f9c ']);
    wrapper.unmount();
  });
});
