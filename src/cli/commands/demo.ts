import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { maskUrlPassword } from '../../config/mask.ts';
import type { Config } from '../../config/schema.ts';
import { stopOnSignals } from '../../runtime/lifecycle.ts';
import { startDemo, type RunningDemo } from '../../service/demo.ts';
import { demoVariables } from '../../service/demo-defaults.ts';
import { DemoSetupError } from '../../service/demo-setup-error.ts';
import { loadContext } from '../context.ts';
import { DemoMonitor } from '../demo-monitor.ts';
import { DemoView } from '../demo-view.ts';
import { formatTable } from '../format-table.ts';
import { runCommand } from '../run-command.ts';

/** The package folder: the demo's bundled miners file and sampling lists live there. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function intro(demo: RunningDemo, config: Config): string {
  const miners = formatTable(
    ['uid', 'hotkey', 'policy', 'endpoint'],
    demo.miners.map((m) => [m.uid, m.hotkey, m.policy, m.url]),
  );
  const others = demo.others.map((m) => `  also in the miners file, not started here: ${m.hotkey} (uid ${m.uid}) ${m.endpoint ?? 'by commitment'}`);
  return [
    'evalpool demo: the whole system on this machine',
    '',
    miners,
    ...others,
    '',
    `dashboard  ${demo.url}/`,
    `API        ${demo.url}/v1/weights/latest  ·  ${demo.url}/v1/status`,
    `state      ${maskUrlPassword(config.storage.databaseUrl)}  ·  ${maskUrlPassword(config.storage.redisUrl)} (prefix ${config.storage.queuePrefix})`,
    '',
    `Every miner plays one episode per task id of each environment's sampling list; weights are computed every ${config.scoring.weightsIntervalSeconds} s`,
    `and published as soon as a miner has results for ${Math.round(config.scoring.minCoverage * 100)}% of every list; the table below waits until every miner has.`,
    '',
  ].join('\n');
}

/** `evalpool demo` (`npm start`): demo miners, `serve` with inline workers, progress until the first weights. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole system on this machine: demo miners (expert, noisy, random), serve with inline workers, progress until the first weights')
    .option('--port <n>', 'port of the API and dashboard (sets EVALPOOL_PORT; 0 picks a free one)')
    .option('--miners-file <path>', 'miners file (sets EVALPOOL_MINERS_FILE; default: the bundled containers/demo/miners.json)')
    .action(async (options: { port?: string; minersFile?: string }) => {
      const overrides: Record<string, string> = {};
      if (options.port !== undefined) overrides.EVALPOOL_PORT = options.port;
      if (options.minersFile !== undefined) overrides.EVALPOOL_MINERS_FILE = options.minersFile;
      const isTTY = process.stdout.isTTY === true;
      const view = new DemoView({ out: process.stdout, isTTY });
      const { config, logger } = loadContext(overrides, { defaults: demoVariables(ROOT), logger: { destination: view.logStream, isTTY } });
      await runCommand(config, async () => {
        const since = new Date();
        let demo: RunningDemo;
        try {
          demo = await startDemo(config, logger);
        } catch (error) {
          if (!(error instanceof DemoSetupError)) throw error;
          process.stderr.write(`evalpool: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        view.print(intro(demo, config));
        const monitor = demo.lifecycle.add(
          new DemoMonitor({
            db: demo.db,
            view,
            logger,
            since,
            elapsedSeconds: () => process.uptime(),
            policies: new Map(demo.miners.map((m) => [m.hotkey, m.policy])),
            dashboardUrl: `${demo.url}/`,
          }),
        );
        monitor.start();
        const onFirstSignal = (): void => {
          process.off('SIGINT', onFirstSignal);
          process.off('SIGTERM', onFirstSignal);
          view.print('\nstopping: API, scheduler and workers, then the demo miners…');
        };
        process.on('SIGINT', onFirstSignal);
        process.on('SIGTERM', onFirstSignal);
        stopOnSignals(demo.lifecycle, logger, config.server.shutdownGraceMs, (code) => {
          view.print(code === 0 ? 'stopped.' : 'stopped, but not everything closed cleanly (see the log lines above).');
          process.exit(code);
        });
      });
    });
}
