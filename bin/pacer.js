#!/usr/bin/env node
// The CLI runs the JavaScript compiled into dist/ (`npm ci` builds it, as does `npm run build`):
// compiling the TypeScript at every start took over a second. PACER_DEV=1, or a tree not built yet,
// runs the sources in src/ through tsx instead (a dev dependency): slower to start, never stale.
import { existsSync } from 'node:fs';
import module from 'node:module';

const compiled = new URL('../dist/cli.js', import.meta.url);

if (process.env.PACER_DEV !== '1' && existsSync(compiled)) {
  // Node 22 and later keep the compiled bytecode between runs; Node 20 has no such cache.
  module.enableCompileCache?.();
  await import(compiled.href);
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('pacer: dist/ is not built and tsx is not installed: run `npm run build`\n');
    process.exit(2);
  }
  tsx.register();
  await import('../src/cli.ts');
}
