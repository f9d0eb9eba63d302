#!/usr/bin/env node
// Compiles src/ into dist/, the JavaScript that bin/pacer.js runs: compiling TypeScript at every
// start (tsx) cost the CLI over a second. `npm ci` runs this as the prepare script, and the test
// setup runs it before every test run, so both use the sources in the tree.
//
//   node scripts/build.js           build unless dist/ was built from exactly these sources
//   node scripts/build.js --force   build anyway
//   node scripts/build.js --check   build nothing; exit 1 when dist/ is missing or stale
//
// dist/.source-hash records a hash of every input (src/, the tsconfigs, this script). A build
// writes into a fresh folder and swaps it in whole, so a file deleted from src/ never lingers in
// dist/ and a run started meanwhile never sees half a build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stampName = '.source-hash';

/** Every file under src/, relative to the root, in a stable order. */
function sourceFiles() {
  return readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** A hash of everything the build reads: it changes whenever dist/ would. */
function sourceHash(files) {
  const hash = createHash('sha256');
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.js', ...files]) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

function builtHash() {
  try {
    return readFileSync(path.join(dist, stampName), 'utf8').trim();
  } catch {
    return undefined;
  }
}

const args = new Set(process.argv.slice(2));
const files = sourceFiles();
const hash = sourceHash(files);

if (args.has('--check')) {
  const built = builtHash();
  if (built === hash) process.exit(0);
  console.error(built ? 'dist/ is stale: src/ changed since it was built' : 'dist/ is missing or was never built');
  process.exit(1);
}
if (!args.has('--force') && builtHash() === hash) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error('cannot build dist/: typescript is not installed (install the dev dependencies: npm ci)');
  process.exit(1);
}

const staging = path.join(root, `dist.tmp-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
try {
  // Emit only: `npm run typecheck` checks the types (CI runs it), and skipping the check halves the build.
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck', '--outDir', staging], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`tsc failed (${result.status ?? result.signal}): dist/ not built`);
    process.exit(1);
  }
  // Files that are not TypeScript (the scorecard's stylesheet and script) are read beside the code that serves them.
  for (const file of files.filter((f) => !f.endsWith('.ts'))) {
    const target = path.join(staging, path.relative('src', file));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(root, file), target);
  }
  writeFileSync(path.join(staging, stampName), `${hash}\n`);
  rmSync(dist, { recursive: true, force: true });
  try {
    renameSync(staging, dist);
  } catch (error) {
    // Another build swapped its own in between: fine when it was built from the same sources.
    if (!existsSync(dist) || builtHash() !== hash) throw error;
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
