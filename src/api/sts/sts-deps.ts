import type { IamDirectory } from '../../iam/directory/iam-directory.js';

export interface StsApiDeps {
  directory: IamDirectory;
}
