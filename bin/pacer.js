#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx's loader, so `npx pacer` works right after
// `npm ci` with no build step and the sources in the tree are the code that runs.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
