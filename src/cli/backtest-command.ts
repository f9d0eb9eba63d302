import { Command } from 'commander';
import { runCommand, withServices, type CliIo } from './cli-context.js';

/** `pacer backtest [--from DATE] [--to DATE] [--every 1mo] [--json]`. */
export function backtestCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('backtest')
    .description(
      'were the warnings right? replay the evaluation as known at each step for every achieved or missed target ' +
        'and score it: accuracy, warning lead time, forecast error, calibration of the chance to meet',
    )
    .option('--from <date>', "first step, YYYY-MM-DD; default the directive's issue date")
    .option('--to <date>', 'last step at most, YYYY-MM-DD; default today')
    .option('--every <step>', 'step length: 1mo, 3mo, 2w, 7d, ...', '1mo')
    .option('--json', 'print JSON (the GET /v1/backtest document)')
    .action(async (options: { from?: string; to?: string; every: string; json?: boolean }) => {
      setExitCode(
        await runCommand(io, () =>
          withServices(
            io,
            async (services) => {
              const report = await services.backtest.run({ from: options.from, to: options.to, every: options.every });
              const document = (await import('../evaluation/backtest-schema.js')).backtestDocument(report);
              if (options.json) io.out(JSON.stringify(document, null, 2));
              else (await import('./backtest-table.js')).printBacktest(io, document);
            },
            { prepare: true },
          ),
        ),
      );
    });
}
