// A demo miner in its own process for the episodes bench, as in production: prints its port on
// stdout, exits when stdin closes or on SIGTERM.
import { startDemoMiner } from '../../src/miners/demo/demo-miner.ts';

const miner = await startDemoMiner({ policy: 'expert', port: 0 });
process.stdout.write(`${miner.port}\n`);
const stop = (): void => {
  void miner.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.stdin.once('end', stop);
process.stdin.resume();
