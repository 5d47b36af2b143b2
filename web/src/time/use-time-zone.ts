import { inject, ref, type InjectionKey, type Ref } from 'vue';
import type { TimeZoneSetting } from './zone.ts';

export const TIME_ZONE_KEY: InjectionKey<Ref<TimeZoneSetting>> = Symbol('timeZone');

/** The zone App.vue provides; UTC where none is (a component mounted alone in a test). */
export function useTimeZone(): Ref<TimeZoneSetting> {
  return inject(TIME_ZONE_KEY, ref<TimeZoneSetting>('utc'));
}
