import { integer, optionalText, optionalUrl, text, url } from '../variable.ts';

/** Miner discovery (static file or subtensor) and the validator. */
export const chain = {
  minersFile: text('EVALPOOL_MINERS_FILE', {
    default: 'miners.json',
    doc: 'Static miners file used when no chain endpoint is set.',
  }),
  endpoint: optionalUrl('EVALPOOL_CHAIN_ENDPOINT', {
    protocols: ['ws:', 'wss:'],
    doc: 'Subtensor WebSocket endpoint; set = miners come from the chain instead of the file.',
  }),
  netuid: integer('EVALPOOL_NETUID', { default: 0, min: 0, max: 65_535, doc: 'Subnet id read on chain.' }),
  timeoutMs: integer('EVALPOOL_CHAIN_TIMEOUT_MS', {
    default: 10_000,
    min: 100,
    max: 300_000,
    doc: 'Timeout of each chain call.',
  }),
  refreshSeconds: integer('EVALPOOL_MINERS_REFRESH_SECONDS', {
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'Period of miner discovery.',
  }),
  backendPrivateKey: optionalText('EVALPOOL_BACKEND_PRIVATE_KEY', {
    secret: true,
    fromFile: true,
    pattern: /^[0-9a-fA-F]{64}$/,
    rule: '64 hexadecimal characters (an X25519 private key)',
    doc: 'Decrypts encrypted endpoint commitments (`evalpool crypto keygen`).',
  }),
  validatorSeed: optionalText('EVALPOOL_VALIDATOR_SEED', {
    secret: true,
    fromFile: true,
    doc: "`evalpool validator`: the hotkey's mnemonic or secret URI.",
  }),
  validatorBackendUrl: url('EVALPOOL_VALIDATOR_BACKEND_URL', {
    default: 'http://127.0.0.1:8000',
    protocols: ['http:', 'https:'],
    doc: '`evalpool validator`: the backend whose `/v1/weights/latest` is submitted.',
  }),
  validatorPollSeconds: integer('EVALPOOL_VALIDATOR_POLL_SECONDS', {
    default: 60,
    min: 1,
    max: 86_400,
    doc: '`evalpool validator`: period of polling the backend.',
  }),
};
