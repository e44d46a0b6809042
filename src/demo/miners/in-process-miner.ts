import type { Action, Observation, TaskConfig } from '../../envs/policy-contract.ts';
import type { MinerApi } from '../../miners/miner-api.ts';
import { toError } from '../../runtime/error-message.ts';
import type { DemoPolicyOptions } from './policies/demo-policy.ts';
import { createDemoPolicy } from './policies/demo-policy.ts';
import type { Policy, PolicyKind } from './policies/policy.ts';

/**
 * A demo policy behind the {@link MinerApi} interface, without HTTP: for statistics over many
 * seeds in tests. One instance serves one episode at a time (it remembers the env of the last
 * `reset`).
 */
export class InProcessMiner implements MinerApi {
  private policy: Policy | undefined;

  constructor(
    private readonly kind: PolicyKind,
    private readonly options: DemoPolicyOptions = {},
  ) {}

  reset(_episodeId: string, taskConfig: TaskConfig): Promise<void> {
    try {
      this.policy = createDemoPolicy(this.kind, taskConfig.env_id, this.options);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  act(_episodeId: string, observation: Observation): Promise<Action> {
    if (this.policy === undefined) return Promise.reject(new Error('act before reset'));
    return Promise.resolve(this.policy.act(observation));
  }
}
