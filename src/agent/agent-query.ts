/** What an agent request asks for: AWS agent's GSVQuery. */
export interface AgentQuery {
  secretId: string;
  versionId?: string;
  versionStage?: string;
  refreshNow: boolean;
}

/** A request the agent refuses with a status and a plain-text body, as AWS's agent does. */
export class AgentRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function refreshValue(value: string): boolean {
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw new AgentRequestError(400, 'invalid refreshNow value');
  }
}

/** The query's parameters; `secretId` only in the query form. Unknown ones are refused. */
function parseParameters(search: string, query: AgentQuery, withSecretId: boolean): void {
  for (const [name, value] of new URLSearchParams(search)) {
    if (name === 'secretId' && withSecretId) query.secretId = value;
    else if (name === 'versionId') query.versionId = value;
    else if (name === 'versionStage') query.versionStage = value;
    else if (name === 'refreshNow') query.refreshNow = refreshValue(value);
    else throw new AgentRequestError(400, `unknown parameter: ${name}`);
  }
}

/** `/secretsmanager/get?secretId=…[&versionStage=…|&versionId=…][&refreshNow=true]` */
export function parseGetQuery(search: string): AgentQuery {
  const query: AgentQuery = { secretId: '', refreshNow: false };
  parseParameters(search, query, true);
  if (!query.secretId) throw new AgentRequestError(400, 'missing parameter secretId');
  return query;
}

/** `<prefix><secret-id>[?versionStage=…|versionId=…][&refreshNow=true]` */
export function parsePathQuery(path: string, search: string, prefix: string): AgentQuery {
  let secretId: string;
  try {
    secretId = decodeURIComponent(path.slice(prefix.length));
  } catch {
    throw new AgentRequestError(400, 'missing secret ID');
  }
  if (!secretId) throw new AgentRequestError(400, 'missing secret ID');
  const query: AgentQuery = { secretId, refreshNow: false };
  parseParameters(search, query, false);
  return query;
}
