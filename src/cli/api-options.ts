import type { Command } from 'commander';

/** How a command finds the server and credentials, as the AWS CLI does. */
export interface ClientOptions {
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

/** Adds the options the AWS CLI uses to find the server and credentials. */
export function apiOptions(command: Command): Command {
  return command
    .option('--endpoint-url <url>', "the server (AWS_ENDPOINT_URL, else the profile's endpoint_url)")
    .option('--region <region>', "signing region (AWS_REGION, else the profile's)")
    .option('--profile <name>', 'profile of the AWS shared files (AWS_PROFILE, else "coffer" when configured)');
}

/** A command action whose failure is one line on stderr and exit status 1 (commander passes arguments, then options). */
export function failsInOneLine<A extends unknown[]>(work: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await work(...args);
    } catch (error) {
      console.error(`coffer: ${(error as Error).message}`);
      process.exit(1);
    }
  };
}
