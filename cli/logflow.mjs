#!/usr/bin/env node
// Entry point of the `logflow` command: TypeScript runs directly through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
