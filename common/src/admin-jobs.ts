/** The admin jobs the reconciler runs, as the admin API and the dashboard name them. */
export const JOB_NAMES = ['reconcile', 'replay', 'reindex', 'retention'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}
