import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The AWS CLI's two shared files, read and written as the AWS CLI does: `config` holds
 * `[profile NAME]` sections (region, endpoint_url, ca_bundle) and `credentials` holds
 * `[NAME]` sections with the key pair. So a profile `coffer configure` writes serves the
 * AWS CLI and the SDKs as well as `coffer` itself.
 */
export interface SharedFiles {
  config: string;
  credentials: string;
}

/** Where the shared files are: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws. */
export function sharedFiles(env: NodeJS.ProcessEnv = process.env): SharedFiles {
  return {
    config: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  };
}

/** The profile Coffer's commands use when none is named, else AWS_PROFILE's, else `coffer` if a shared file has it, else `default`. */
export const COFFER_PROFILE = 'coffer';

export type IniSections = Map<string, Map<string, string>>;

/** An INI file's sections; a missing file has none. */
export function readIni(path: string): IniSections {
  const sections: IniSections = new Map();
  if (!existsSync(path)) return sections;
  let current: Map<string, string> | undefined;
  for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

/** A profile's section name in each file: `config` names it `profile X` (but `default` as is). */
function configSection(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

export interface ProfileSettings {
  name: string;
  /** Whether the profile was asked for (flag or AWS_PROFILE) rather than chosen by default. */
  named: boolean;
  region?: string;
  endpointUrl?: string;
  caBundle?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** The profile to use and what the shared files say of it. */
export function readProfile(requested: string | undefined, files: SharedFiles = sharedFiles()): ProfileSettings {
  const config = readIni(files.config);
  const credentials = readIni(files.credentials);
  const asked = requested ?? (process.env.AWS_PROFILE || undefined);
  const name = asked ?? (config.has(configSection(COFFER_PROFILE)) || credentials.has(COFFER_PROFILE) ? COFFER_PROFILE : 'default');
  const settings = config.get(configSection(name)) ?? new Map<string, string>();
  const keys = credentials.get(name) ?? new Map<string, string>();
  const either = (key: string) => keys.get(key) || settings.get(key) || undefined;
  return {
    name,
    named: asked !== undefined,
    region: settings.get('region') || keys.get('region') || undefined,
    endpointUrl: settings.get('endpoint_url') || undefined,
    caBundle: settings.get('ca_bundle') || undefined,
    accessKeyId: either('aws_access_key_id'),
    secretAccessKey: either('aws_secret_access_key'),
    sessionToken: either('aws_session_token'),
  };
}

/**
 * Sets `values` in `section` of the INI file at `path`, keeping every other line as it is
 * (a value given as undefined is left alone). The file is made private to its owner.
 */
export function updateIni(path: string, section: string, values: Record<string, string | undefined>): void {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split(/\r?\n/) : [];
  if (lines.at(-1) === '') lines.pop();
  const start = lines.findIndex((line) => /^\[\s*([^\]]+?)\s*\]$/.exec(line.trim())?.[1] === section);
  const pending = new Map(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
  if (start < 0) {
    if (lines.length) lines.push('');
    lines.push(`[${section}]`, ...[...pending].map(([key, value]) => `${key} = ${value}`));
  } else {
    let end = start + 1;
    while (end < lines.length && !/^\s*\[/.test(lines[end]!)) end++;
    for (let i = start + 1; i < end; i++) {
      const key = /^\s*([^=#;\s]+)\s*=/.exec(lines[i]!)?.[1];
      if (key !== undefined && pending.has(key)) {
        lines[i] = `${key} = ${pending.get(key)}`;
        pending.delete(key);
      }
    }
    // New keys go after the section's last setting, before the blank lines that part it from the next.
    let at = end;
    while (at > start + 1 && lines[at - 1]!.trim() === '') at--;
    lines.splice(at, 0, ...[...pending].map(([key, value]) => `${key} = ${value}`));
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Writes a profile as `aws configure` does: settings in the config file, the key pair in the credentials file. */
export function writeProfile(files: SharedFiles, profile: string, settings: { region: string; endpointUrl: string; caBundle?: string; accessKeyId: string; secretAccessKey: string }): void {
  updateIni(files.config, configSection(profile), { region: settings.region, endpoint_url: settings.endpointUrl, ca_bundle: settings.caBundle });
  updateIni(files.credentials, profile, { aws_access_key_id: settings.accessKeyId, aws_secret_access_key: settings.secretAccessKey });
}
