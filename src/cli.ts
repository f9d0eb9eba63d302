import { processIo } from './cli/cli-context.js';
import { buildProgram } from './cli/program.js';

await buildProgram(processIo, (code) => {
  process.exitCode = code;
}).parseAsync(process.argv);
