import type { InjectionKey, Ref } from 'vue';

/** Whether the dark theme is on: the chart, which naive-ui does not theme, follows it. */
export const DARK_KEY: InjectionKey<Ref<boolean>> = Symbol('dark');
