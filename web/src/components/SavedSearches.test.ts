import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SavedSearches from './SavedSearches.vue';
import { NMessageProvider } from 'naive-ui';
import { h } from 'vue';

describe('SavedSearches', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks before deleting a saved search, and deletes only once confirmed', async () => {
    const requests: string[] = [];
    vi.stubGlobal('fetch', (url: string, init?: RequestInit) => {
      requests.push(`${init?.method ?? 'GET'} ${url}`);
      const body = init?.method === 'DELETE' ? {} : { savedSearches: [{ id: 7, name: 'errors', query: 'q=level%3Aerror', savedAt: '' }] };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
    });
    const wrapper = mount({ render: () => h(NMessageProvider, () => h(SavedSearches, { currentQuery: '' })) }, { attachTo: document.body });
    await wrapper.get('[data-testid=saved-searches]').trigger('click');
    await flushPromises();
    const remove = document.querySelector<HTMLButtonElement>('[aria-label="Delete saved search errors"]')!;
    remove.click();
    await flushPromises();
    expect(requests.filter((r) => r.startsWith('DELETE'))).toEqual([]);
    expect(document.body.textContent).toContain('Delete “errors”?');
    document.querySelector<HTMLButtonElement>('[data-testid=confirm-delete-saved]')!.click();
    await flushPromises();
    expect(requests.filter((r) => r.startsWith('DELETE'))).toEqual(['DELETE /api/saved-searches/7']);
    wrapper.unmount();
  });
});
