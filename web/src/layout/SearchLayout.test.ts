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

  it('puts a given sidebar in its own area beside the results', () => {
    const wrapper = mount(SearchLayout, { slots: { sidebar: () => h('div', { class: 'fields' }, 'resourceId'), default: () => h('div', 'rows') } });
    expect(wrapper.get('.search-layout').classes()).toContain('has-sidebar');
    expect(wrapper.get('aside .fields').text()).toBe('resourceId');
    expect(wrapper.get('.area-main').text()).toBe('rows');
  });
});
