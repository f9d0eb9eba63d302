import { processIo } from './cli/cli-context.js';
import { buildProgram } from './cli/program.js';

// `pacer status | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await buildProgram(processIo, (code) => {
  process.exitCode = code;
}).parseAsync(process.argv);
