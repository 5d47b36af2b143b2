#!/usr/bin/env node
// Entry point of the `logflow` command. It runs the compiled build, dist/logflow.mjs (`npm run build`),
// when that is up to date with the sources; otherwise (no build, a source changed since, or
// LOGFLOW_DEV=1, as the tests set) it runs the TypeScript directly through tsx, as in development.
import { pathToFileURL } from 'node:url';
import { SERVER_BUNDLE, serverBuildIsFresh } from './bootstrap.mjs';

if (process.env.LOGFLOW_DEV !== '1' && serverBuildIsFresh()) {
  // Stack traces name the TypeScript files and lines, as under tsx.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(SERVER_BUNDLE).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write('logflow: the build in dist/ is missing or older than the sources, and tsx (a development dependency) is not installed: run `npm run build`\n');
    process.exit(2);
  }
  register();
  await import('./main.ts');
}
