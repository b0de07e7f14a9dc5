/**
 * Staging labels of one secret as a map label → versionId: a label is on at
 * most one version. These functions apply AWS's label rules to such a map.
 */
export type StageMap = Map<string, string>;

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

/** Inverts the stored form (versionId → labels) of one secret. */
export function stageMapOf(byVersion: Map<string, string[]> | undefined): StageMap {
  const stages: StageMap = new Map();
  for (const [versionId, labels] of byVersion ?? []) for (const label of labels) stages.set(label, versionId);
  return stages;
}

export function labelsOf(stages: StageMap, versionId: string): string[] {
  const labels: string[] = [];
  for (const [label, id] of stages) if (id === versionId) labels.push(label);
  return labels.sort();
}

/** versionId → sorted labels, for VersionIdsToStages. */
export function versionsToStages(stages: StageMap): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [label, versionId] of [...stages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    (result[versionId] ??= []).push(label);
  }
  return result;
}

/**
 * Attaches labels to a new value written by PutSecretValue / UpdateSecret /
 * CreateSecret. Each label moves from wherever it was. When AWSCURRENT moves,
 * the version that had it becomes AWSPREVIOUS and loses AWSPENDING (as AWS
 * does). The first value of a secret is always AWSCURRENT.
 */
export function attachNewValue(stages: StageMap, versionId: string, labels: string[]): StageMap {
  const next = new Map(stages);
  const wanted = new Set(labels);
  if (!next.has(AWSCURRENT)) wanted.add(AWSCURRENT);
  const previousCurrent = next.get(AWSCURRENT);
  for (const label of wanted) next.set(label, versionId);
  if (wanted.has(AWSCURRENT) && previousCurrent !== undefined && previousCurrent !== versionId) {
    next.set(AWSPREVIOUS, previousCurrent);
    if (next.get(AWSPENDING) === previousCurrent) next.delete(AWSPENDING);
  }
  return next;
}

/** UpdateSecretVersionStage's move: moving AWSCURRENT also moves AWSPREVIOUS to the version it left. */
export function moveLabel(stages: StageMap, label: string, toVersionId: string | undefined): StageMap {
  const next = new Map(stages);
  const from = next.get(label);
  if (toVersionId === undefined) {
    next.delete(label);
    return next;
  }
  next.set(label, toVersionId);
  if (label === AWSCURRENT && from !== undefined && from !== toVersionId) next.set(AWSPREVIOUS, from);
  return next;
}
