import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  attachNewValue,
  labelsOf,
  moveLabel,
  stageMapOf,
  versionsToStages,
  type StageMap,
} from '../../src/secrets/staging-labels.js';

// Tables follow secrets-manager-behaviour.md §5.2. A stage map is written as { label: versionId }.

type Labels = Record<string, string>;

const map = (labels: Labels): StageMap => new Map(Object.entries(labels));
const plain = (stages: StageMap): Labels => Object.fromEntries([...stages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

interface AttachCase {
  name: string;
  before: Labels;
  versionId: string;
  labels: string[];
  after: Labels;
}

const attachCases: AttachCase[] = [
  {
    name: 'CreateSecret: the first value gets AWSCURRENT',
    before: {},
    versionId: 'v1',
    labels: [AWSCURRENT],
    after: { AWSCURRENT: 'v1' },
  },
  {
    name: 'the first value gets AWSCURRENT even with explicit labels without it',
    before: {},
    versionId: 'v1',
    labels: ['blue'],
    after: { AWSCURRENT: 'v1', blue: 'v1' },
  },
  {
    name: 'the first value gets AWSCURRENT even when the explicit labels are AWSPENDING only',
    before: {},
    versionId: 'v1',
    labels: [AWSPENDING],
    after: { AWSCURRENT: 'v1', AWSPENDING: 'v1' },
  },
  {
    name: 'the first value gets AWSCURRENT with an empty label list',
    before: {},
    versionId: 'v1',
    labels: [],
    after: { AWSCURRENT: 'v1' },
  },
  {
    name: 'PutSecretValue: the new value becomes AWSCURRENT, the old current AWSPREVIOUS',
    before: { AWSCURRENT: 'v1' },
    versionId: 'v2',
    labels: [AWSCURRENT],
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
  },
  {
    name: 'AWSPREVIOUS is taken from whichever version had it',
    before: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
    versionId: 'v3',
    labels: [AWSCURRENT],
    after: { AWSCURRENT: 'v3', AWSPREVIOUS: 'v2' },
  },
  {
    name: 'the version losing AWSCURRENT loses its AWSPENDING too',
    before: { AWSCURRENT: 'v1', AWSPENDING: 'v1' },
    versionId: 'v2',
    labels: [AWSCURRENT],
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
  },
  {
    name: 'AWSPENDING on another version stays where it is',
    before: { AWSCURRENT: 'v1', AWSPENDING: 'v2' },
    versionId: 'v3',
    labels: [AWSCURRENT],
    after: { AWSCURRENT: 'v3', AWSPREVIOUS: 'v1', AWSPENDING: 'v2' },
  },
  {
    name: 'explicit labels without AWSCURRENT: AWSCURRENT stays where it was',
    before: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0' },
    versionId: 'v2',
    labels: [AWSPENDING],
    after: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0', AWSPENDING: 'v2' },
  },
  {
    name: 'a custom label moves from the version that had it',
    before: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0', blue: 'v1' },
    versionId: 'v2',
    labels: ['blue'],
    after: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0', blue: 'v2' },
  },
  {
    name: 'several labels move at once, AWSCURRENT among them',
    before: { AWSCURRENT: 'v1', green: 'v0', AWSPENDING: 'v1' },
    versionId: 'v2',
    labels: [AWSCURRENT, 'green'],
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', green: 'v2' },
  },
  {
    name: 'AWSCURRENT together with AWSPENDING on the new version',
    before: { AWSCURRENT: 'v1' },
    versionId: 'v2',
    labels: [AWSCURRENT, AWSPENDING],
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', AWSPENDING: 'v2' },
  },
  {
    name: 'labelling the current version AWSCURRENT again changes nothing',
    before: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0' },
    versionId: 'v1',
    labels: [AWSCURRENT],
    after: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0' },
  },
];

for (const c of attachCases) {
  test(`attachNewValue: ${c.name}`, () => {
    const before = map(c.before);
    const after = attachNewValue(before, c.versionId, c.labels);
    assert.deepEqual(plain(after), c.after);
    assert.deepEqual(plain(before), c.before, 'the input map is not changed');
  });
}

interface MoveCase {
  name: string;
  before: Labels;
  label: string;
  to: string | undefined;
  after: Labels;
}

const moveCases: MoveCase[] = [
  {
    name: 'moving AWSCURRENT moves AWSPREVIOUS to the version it left',
    before: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
    label: AWSCURRENT,
    to: 'v3',
    after: { AWSCURRENT: 'v3', AWSPREVIOUS: 'v2' },
  },
  {
    name: 'moving AWSCURRENT gives AWSPREVIOUS to the old current even when none had it',
    before: { AWSCURRENT: 'v1' },
    label: AWSCURRENT,
    to: 'v2',
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
  },
  {
    name: 'rotation finishSecret: AWSCURRENT onto the pending version keeps its AWSPENDING',
    before: { AWSCURRENT: 'v1', AWSPENDING: 'v2' },
    label: AWSCURRENT,
    to: 'v2',
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', AWSPENDING: 'v2' },
  },
  {
    name: 'rolling back: AWSCURRENT onto the previous version swaps the two',
    before: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
    label: AWSCURRENT,
    to: 'v1',
    after: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v2' },
  },
  {
    name: 'moving AWSCURRENT onto the version that has it changes nothing',
    before: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
    label: AWSCURRENT,
    to: 'v2',
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
  },
  {
    name: 'other labels on the target version are kept',
    before: { AWSCURRENT: 'v1', blue: 'v2' },
    label: AWSCURRENT,
    to: 'v2',
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', blue: 'v2' },
  },
  {
    name: 'a custom label moves without touching AWSCURRENT or AWSPREVIOUS',
    before: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', blue: 'v2' },
    label: 'blue',
    to: 'v1',
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', blue: 'v1' },
  },
  {
    name: 'a new custom label is added',
    before: { AWSCURRENT: 'v1' },
    label: 'blue',
    to: 'v1',
    after: { AWSCURRENT: 'v1', blue: 'v1' },
  },
  {
    name: 'AWSPENDING moves like any other label',
    before: { AWSCURRENT: 'v1', AWSPENDING: 'v2' },
    label: AWSPENDING,
    to: 'v3',
    after: { AWSCURRENT: 'v1', AWSPENDING: 'v3' },
  },
  {
    name: 'AWSPREVIOUS moved by hand does not drag AWSCURRENT',
    before: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' },
    label: AWSPREVIOUS,
    to: 'v0',
    after: { AWSCURRENT: 'v2', AWSPREVIOUS: 'v0' },
  },
  {
    name: 'removal: no target removes the label',
    before: { AWSCURRENT: 'v1', blue: 'v2' },
    label: 'blue',
    to: undefined,
    after: { AWSCURRENT: 'v1' },
  },
  {
    name: 'removal of AWSPENDING (cancelled rotation)',
    before: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0', AWSPENDING: 'v2' },
    label: AWSPENDING,
    to: undefined,
    after: { AWSCURRENT: 'v1', AWSPREVIOUS: 'v0' },
  },
  {
    name: 'removing a label nobody has changes nothing',
    before: { AWSCURRENT: 'v1' },
    label: 'blue',
    to: undefined,
    after: { AWSCURRENT: 'v1' },
  },
];

for (const c of moveCases) {
  test(`moveLabel: ${c.name}`, () => {
    const before = map(c.before);
    const after = moveLabel(before, c.label, c.to);
    assert.deepEqual(plain(after), c.after);
    assert.deepEqual(plain(before), c.before, 'the input map is not changed');
  });
}

test('a full rotation: pending placeholder, filled, promoted', () => {
  let stages = attachNewValue(new Map(), 'v1', [AWSCURRENT]);
  stages = attachNewValue(stages, 'v2', [AWSPENDING]); // createSecret step
  assert.deepEqual(plain(stages), { AWSCURRENT: 'v1', AWSPENDING: 'v2' });
  stages = moveLabel(stages, AWSCURRENT, 'v2'); // finishSecret step
  assert.deepEqual(plain(stages), { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', AWSPENDING: 'v2' });
  stages = moveLabel(stages, AWSPENDING, undefined);
  assert.deepEqual(plain(stages), { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' });
  stages = attachNewValue(stages, 'v3', [AWSCURRENT]);
  assert.deepEqual(plain(stages), { AWSCURRENT: 'v3', AWSPREVIOUS: 'v2' }, 'v1 is now deprecated');
});

test('stageMapOf inverts versionId → labels, and labelsOf / versionsToStages read it back sorted', () => {
  const stages = stageMapOf(
    new Map([
      ['v2', ['AWSCURRENT', 'zeta', 'Beta']],
      ['v1', ['AWSPREVIOUS']],
    ]),
  );
  assert.deepEqual(plain(stages), { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', Beta: 'v2', zeta: 'v2' });
  assert.deepEqual(labelsOf(stages, 'v2'), ['AWSCURRENT', 'Beta', 'zeta']);
  assert.deepEqual(labelsOf(stages, 'v9'), []);
  assert.deepEqual(versionsToStages(stages), { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT', 'Beta', 'zeta'] });
  assert.equal(stageMapOf(undefined).size, 0);
});
