import { InvalidArgumentError, type Command } from 'commander';
import { ROTATION_FUNCTION_KINDS } from '../rotation/rotation-function.js';
import { apiCommandGroup, CofferClient, failsInOneLine, type ClientOptions } from './coffer-client.js';

interface SettingOptions {
  name: string;
  kind?: string;
  url?: string;
  command?: string;
  timeout?: number;
  role?: string;
  rotateSigningKey?: boolean;
}

/** Only the form is checked here; the server checks the range and says what it accepts. */
function wholeSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Give a whole number of seconds.');
  return Number(value);
}

const request = (opts: SettingOptions) => ({
  FunctionName: opts.name,
  Kind: opts.kind,
  Url: opts.url,
  Command: opts.command,
  TimeoutSeconds: opts.timeout,
  Role: opts.role,
  RotateSigningKey: opts.rotateSigningKey,
});

/** The settings create and update share. */
function settingOptions(command: Command, timeoutDefault: string): void {
  command
    .option('--url <url>', 'webhook: the https endpoint (http only to a loopback host)')
    .option('--command <command>', 'command: the program and its arguments, as one string')
    .option('--timeout <seconds>', `how long one rotation step may take, 1 to 900${timeoutDefault}`, wholeSeconds)
    .option('--role <arn>', "the execution role whose session credentials the function acts with (its trust policy must allow lambda.amazonaws.com); without one, only the rotated secret is allowed" + (timeoutDefault ? '' : '; "" removes it'));
}

/** Prints a function; a signing key is shown this once, so say so. */
function show(fn: Record<string, unknown>): void {
  console.log(JSON.stringify(fn, null, 2));
  if (fn.SigningKey !== undefined) {
    console.error('Keep the SigningKey: it is shown this once and stored only sealed under the root key. The webhook checks the signature of Coffer\'s requests with it.');
  }
}

/** `coffer rotation-functions ...`: the functions a secret's RotationLambdaARN names, on a running server. */
export function registerRotationFunctionsCommand(program: Command): void {
  const group = apiCommandGroup(program, 'rotation-functions', "register the functions that rotate secrets (a secret's RotationLambdaARN names one)");

  /** A subcommand that sends `operation` the request its options make; a failure is one line and exit 1. */
  const subcommand = (name: string, description: string, operation: string, output: (out: Record<string, unknown>) => void = show) =>
    group
      .command(name)
      .description(description)
      .action(
        failsInOneLine(async (opts: SettingOptions) => {
          output(await new CofferClient('CofferRotationFunctions', group.opts<ClientOptions>()).call(operation, request(opts)));
        }),
      );

  const create = subcommand('create', 'register a function and print it, with its FunctionArn (and a webhook\'s SigningKey, once)', 'CreateRotationFunction')
    .requiredOption('--name <name>', 'letters, digits, - and _, at most 64')
    .requiredOption('--kind <kind>', ROTATION_FUNCTION_KINDS.join(', '));
  settingOptions(create, ' (default 30)');

  subcommand('list', 'list the functions of the account and region', 'ListRotationFunctions');

  subcommand('get', 'print a function', 'GetRotationFunction').requiredOption('--name <name>', 'the function');

  const update = subcommand('update', 'change a function; settings not given are kept', 'UpdateRotationFunction')
    .requiredOption('--name <name>', 'the function')
    .option('--kind <kind>', ROTATION_FUNCTION_KINDS.join(', '))
    .option('--rotate-signing-key', 'webhook: replace the signing key and print the new one, once');
  settingOptions(update, '');

  subcommand('delete', 'delete a function', 'DeleteRotationFunction', () => {}).requiredOption('--name <name>', 'the function');
}
