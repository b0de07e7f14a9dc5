import type { Repositories } from '../storage/index.js';

/**
 * What every process on one database follows: the root key's generation
 * (moved by each rotation) and whether an operator sealed the deployment.
 */
export const ROOT_KEY_STATE_SETTING = 'root-key-state';

export interface RootKeyState {
  generation: number;
  sealed: boolean;
}

/** The recorded state, read through `unit` so that it is part of what the unit saw. */
export async function readRootKeyState(unit: Pick<Repositories, 'settings'>): Promise<RootKeyState> {
  const recorded = await unit.settings.get(ROOT_KEY_STATE_SETTING);
  // Data made before the state was recorded: the first generation, unsealed.
  return recorded ? (JSON.parse(recorded) as RootKeyState) : { generation: 0, sealed: false };
}
