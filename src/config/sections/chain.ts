import {
  CHAIN_CALL_TIMEOUT_MS,
  CHAIN_CONNECT_TIMEOUT_MS,
  VALIDATOR_HTTP_TIMEOUT_MS,
  VALIDATOR_POLL_INTERVAL_MS,
  VALIDATOR_RESUBMIT_BLOCKS,
  X25519_KEY_HEX_PATTERN,
} from '../constants.ts';
import { integer, optionalInteger, optionalText, optionalUrl, text, url } from '../variable.ts';

/** Miner discovery (static file or subtensor) and the validator. */
export const chain = {
  minersFile: text('EVALPOOL_MINERS_FILE', {
    default: 'miners.json',
    doc: 'Static miners file (JSON) used when no chain endpoint is set; re-read when it changes.',
  }),
  endpoint: optionalUrl('EVALPOOL_CHAIN_ENDPOINT', {
    protocols: ['ws:', 'wss:'],
    doc: 'Subtensor WebSocket endpoint; set = miners come from the chain instead of the file.',
  }),
  netuid: optionalInteger('EVALPOOL_NETUID', {
    min: 0,
    max: 65_535,
    doc: 'Subnet id read on chain; required with EVALPOOL_CHAIN_ENDPOINT.',
  }),
  timeoutMs: integer('EVALPOOL_CHAIN_TIMEOUT_MS', {
    default: CHAIN_CALL_TIMEOUT_MS,
    min: 100,
    max: 300_000,
    doc: 'Timeout of each chain call.',
  }),
  connectTimeoutMs: integer('EVALPOOL_CHAIN_CONNECT_TIMEOUT_MS', {
    default: CHAIN_CONNECT_TIMEOUT_MS,
    min: 100,
    max: 600_000,
    doc: 'Timeout to connect to the chain endpoint and load its runtime metadata.',
  }),
  refreshSeconds: integer('EVALPOOL_MINERS_REFRESH_SECONDS', {
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'Period of miner discovery; a failed refresh keeps the last known miners.',
  }),
  backendPrivateKey: optionalText('EVALPOOL_BACKEND_PRIVATE_KEY', {
    secret: true,
    fromFile: true,
    pattern: X25519_KEY_HEX_PATTERN,
    rule: '64 hexadecimal characters (an X25519 private key)',
    doc: 'Decrypts encrypted endpoint commitments (`evalpool crypto keygen`); without it those miners are excluded.',
  }),
  validatorSeed: optionalText('EVALPOOL_VALIDATOR_SEED', {
    secret: true,
    fromFile: true,
    doc: "`evalpool validator`: the hotkey's mnemonic, secret URI or Bittensor hotkey JSON.",
  }),
  validatorBackendUrl: url('EVALPOOL_VALIDATOR_BACKEND_URL', {
    default: 'http://127.0.0.1:8000',
    protocols: ['http:', 'https:'],
    doc: '`evalpool validator`: the backend whose `/v1/weights/latest` is submitted.',
  }),
  validatorPollSeconds: integer('EVALPOOL_VALIDATOR_POLL_SECONDS', {
    default: VALIDATOR_POLL_INTERVAL_MS / 1_000,
    min: 1,
    max: 86_400,
    doc: '`evalpool validator`: period of polling the backend.',
  }),
  validatorResubmitBlocks: integer('EVALPOOL_VALIDATOR_RESUBMIT_BLOCKS', {
    default: VALIDATOR_RESUBMIT_BLOCKS,
    min: 1,
    max: 1_000_000,
    doc: "`evalpool validator`: the latest weights are set again when the validator's last setting (its own, or the chain's `LastUpdate`) is this many blocks old, even if the backend's block did not grow; never faster than the chain's `WeightsSetRateLimit`. Keep it well below the subnet's `ActivityCutoff` (5000 blocks by default).",
  }),
  validatorHttpTimeoutMs: integer('EVALPOOL_VALIDATOR_HTTP_TIMEOUT_MS', {
    default: VALIDATOR_HTTP_TIMEOUT_MS,
    min: 100,
    max: 300_000,
    doc: '`evalpool validator`: timeout of each request to the backend (retried with backoff).',
  }),
};
