import { onBeforeUnmount, ref, type Ref } from 'vue';

/** Below this width (px) the dashboard lays itself out for a phone. */
export const PHONE_MAX_WIDTH = 640;

/** Whether the window is phone-narrow, kept up to date while the component lives. */
export function useNarrow(maxWidth = PHONE_MAX_WIDTH): Ref<boolean> {
  const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(`(max-width: ${maxWidth}px)`) : undefined;
  const narrow = ref(query?.matches ?? false);
  const onChange = (event: MediaQueryListEvent) => (narrow.value = event.matches);
  query?.addEventListener('change', onChange);
  onBeforeUnmount(() => query?.removeEventListener('change', onChange));
  return narrow;
}
