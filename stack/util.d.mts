// Types for the TypeScript callers of util.mjs (tests that run engines of their own).
export const STACK_DIR: string;
/** Where the engines keep their data: see chooseDataDir. */
export const DATA_DIR: string;
export const SHARED_DATA_ROOT: string;
export function chooseDataDir(options?: { stackDir?: string; env?: Record<string, string | undefined>; root?: boolean }): string;
export function othersCanReach(dir: string): boolean;
export function ensureDataDir(): void;
export function isRoot(): boolean;
export function ensureUser(): Promise<{ uid: number; gid: number; name: string } | null>;
export function assertTraversable(dir: string): void;
