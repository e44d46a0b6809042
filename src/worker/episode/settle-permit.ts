import type { CircuitPermit } from '../../miners/circuit-breaker.ts';
import { countsAgainstMiner, type ErrorClass, isScored } from './error-class.ts';

/**
 * Tells a miner's circuit breaker how the attempt it let through went: a scored attempt is a
 * success, one that counts against the miner a failure, anything else (the env or the worker
 * broke) says nothing about the miner and just gives the permit back.
 */
export function settlePermit(permit: CircuitPermit, errorClass: ErrorClass, reason?: string): void {
  if (isScored(errorClass)) permit.success();
  else if (countsAgainstMiner(errorClass)) permit.failure(reason);
  else permit.release();
}
