import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { h } from 'vue';
import SearchLayout from './SearchLayout.vue';

describe('SearchLayout', () => {
  it('has no sidebar area unless a sidebar is given', () => {
    const wrapper = mount(SearchLayout, { slots: { toolbar: () => h('div', 'bar'), default: () => h('div', 'rows') } });
    expect(wrapper.find('aside').exists()).toBe(false);
    expect(wrapper.get('.area-main').text()).toBe('rows');
  });

  it('puts a sidebar on the left, behind a Fields toggle that folds it on a phone', async () => {
    const wrapper = mount(SearchLayout, { slots: { sidebar: () => h('div', { class: 'fields' }, 'resourceId'), default: () => h('div', 'rows') } });
    expect(wrapper.get('.search-layout').classes()).toContain('has-sidebar');
    const toggle = wrapper.get('[data-testid=sidebar-toggle]');
    expect(toggle.attributes('aria-expanded')).toBe('false');
    await toggle.trigger('click');
    expect(wrapper.get('aside').classes()).toContain('open');
    expect(wrapper.get('.fields').text()).toBe('resourceId');
  });
});
