/** Repository methods that only read; every other call may write (and runs as a unit of work outside one). */
export const READ_METHODS: ReadonlySet<string> = new Set([
  'findByName', 'findByArn', 'findWithStagedVersion', 'list', 'dueForPurge', 'versions', 'stagesOf', 'version',
  'versionByStage', 'find', 'material', 'findAlias', 'count', 'get', 'dueForDeletion', 'dueForRotation', 'materials',
  'allMaterials', 'listAliases', 'all', 'nextRotationAt', 'holds',
  'listByPrincipal', 'findEntity', 'findEntityByArn', 'listEntities', 'membersOf', 'groupsOf', 'findInlinePolicy',
  'listInlinePolicies', 'findPolicy', 'findPolicyByName', 'listPolicies', 'attachedPolicies', 'policyAttachments',
]);
