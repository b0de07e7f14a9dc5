import type { SecretChangeFeed } from '../../secrets/secret-change-feed.js';
import type { SecretsApiDeps } from '../secretsmanager/secrets-manager-deps.js';

/** What the change feed uses: the feed, and what deciding a caller may hear of a secret reads. */
export interface ChangeFeedApiDeps extends Pick<SecretsApiDeps, 'reader' | 'keys'> {
  feed: SecretChangeFeed;
}
