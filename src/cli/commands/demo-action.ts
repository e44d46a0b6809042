import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEMO_MINER_PORTS_MAX_FIRST } from '../../config/constants.ts';
import { maskUrlPassword } from '../../config/mask.ts';
import type { Config } from '../../config/schema.ts';
import { type RunningDemo, startDemo } from '../../demo/demo.ts';
import { DEMO_NAME_PATTERN, demoVariables } from '../../demo/demo-defaults.ts';
import { moveDemoMinerPorts } from '../../demo/demo-miner-ports.ts';
import { readDemoMinersFile } from '../../demo/demo-miners.ts';
import { DemoSetupError } from '../../demo/demo-setup-error.ts';
import { DemoMonitor } from '../../demo/view/demo-monitor.ts';
import { DemoView } from '../../demo/view/demo-view.ts';
import { formatTable } from '../../runtime/format-table.ts';
import { stopOnSignals } from '../../runtime/lifecycle.ts';
import { PACKAGE_ROOT } from '../../runtime/package-root.ts';
import { loadContext } from '../context.ts';
import { runCommand } from '../run-command.ts';
import { shellWord } from '../shell-quote.ts';

/** Flags of `evalpool demo`. */
export interface DemoOptions {
  port?: string;
  minersFile?: string;
  name?: string;
  minerPorts?: string;
}

/** Writes the miners file with the demo's miners on `first`, `first + 1`, … to a folder removed at exit. */
async function writeMovedMinersFile(file: string, first: number): Promise<string> {
  const entries = moveDemoMinerPorts(await readDemoMinersFile(file), first);
  const dir = mkdtempSync(join(tmpdir(), 'evalpool-demo-miners-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const moved = join(dir, 'miners.json');
  writeFileSync(moved, `${JSON.stringify({ miners: entries }, null, 2)}\n`);
  return moved;
}

/**
 * The variables with which other commands read this demo's state (its `CLI` line): the database,
 * the Redis prefix and the miners file (`miners show` reads it; the default, ./miners.json, is
 * not the demo's), absolute so that they work from any folder.
 */
function cliVariables(config: Config): string {
  return [
    `EVALPOOL_DATABASE_URL=${shellWord(maskUrlPassword(config.storage.databaseUrl))}`,
    `EVALPOOL_QUEUE_PREFIX=${shellWord(config.storage.queuePrefix)}`,
    `EVALPOOL_MINERS_FILE=${shellWord(resolve(config.chain.minersFile))}`,
  ].join(' ');
}

function intro(demo: RunningDemo, config: Config): string {
  const miners = formatTable(
    ['uid', 'hotkey', 'policy', 'endpoint'],
    demo.miners.map((m) => [m.uid, m.hotkey, m.policy, m.url]),
  );
  const others = demo.others.map(
    (m) => `  also in the miners file, not started here: ${m.hotkey} (uid ${m.uid}) ${m.endpoint ?? 'by commitment'}`,
  );
  return [
    'evalpool demo: the whole system on this machine',
    '',
    miners,
    ...others,
    '',
    `dashboard  ${demo.url}/`,
    `API        ${demo.url}/v1/weights/latest  ·  ${demo.url}/v1/status`,
    `state      ${maskUrlPassword(config.storage.databaseUrl)}  ·  ${maskUrlPassword(config.storage.redisUrl)} (prefix ${config.storage.queuePrefix})`,
    `CLI        ${cliVariables(config)} npx evalpool weights show`,
    '',
    `Every miner plays one episode per task id of each environment's sampling list; weights are computed every ${config.scoring.weightsIntervalSeconds} s`,
    `and published as soon as a miner has results for ${Math.round(config.scoring.minCoverage * 100)}% of every list; the table below waits until every miner has.`,
    '',
  ].join('\n');
}

/** The body of `evalpool demo` (loaded when it runs: see main.ts). */
export async function demo(options: DemoOptions, command: Command): Promise<void> {
  const overrides: Record<string, string> = {};
  if (options.port !== undefined) overrides.EVALPOOL_PORT = options.port;
  if (options.minersFile !== undefined) overrides.EVALPOOL_MINERS_FILE = options.minersFile;
  if (options.name !== undefined && !DEMO_NAME_PATTERN.test(options.name))
    command.error(`evalpool: --name "${options.name}" must be 1 to 32 lowercase letters, digits or underscores`, { exitCode: 2 });
  const minerPorts = options.minerPorts === undefined ? undefined : Number(options.minerPorts);
  if (minerPorts !== undefined && !(Number.isInteger(minerPorts) && minerPorts >= 1 && minerPorts <= DEMO_MINER_PORTS_MAX_FIRST)) {
    command.error(
      `evalpool: --miner-ports "${options.minerPorts}" must be a port from 1 to ${DEMO_MINER_PORTS_MAX_FIRST} (the first of the demo miners' ports)`,
      {
        exitCode: 2,
      },
    );
  }
  const isTTY = process.stdout.isTTY === true;
  const view = new DemoView({ out: process.stdout, isTTY });
  const defaults = demoVariables(PACKAGE_ROOT, options.name);
  let { config, logger } = loadContext(overrides, { defaults, logger: { destination: view.logStream, isTTY } });
  await runCommand(
    config,
    async () => {
      const since = new Date();
      let demo: RunningDemo;
      try {
        if (minerPorts !== undefined) {
          // A copy of the miners file with the demo's miners moved; the flag wins over the file.
          const moved = await writeMovedMinersFile(config.chain.minersFile, minerPorts);
          ({ config, logger } = loadContext(
            { ...overrides, EVALPOOL_MINERS_FILE: moved },
            { defaults, logger: { destination: view.logStream, isTTY } },
          ));
        }
        demo = await startDemo(config, logger, minerPorts === undefined ? {} : { minerPorts });
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
    },
    { portFlag: '--port' },
  );
}
