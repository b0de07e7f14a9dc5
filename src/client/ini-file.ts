import { readFileSync } from 'node:fs';

/** An INI file as the AWS CLI reads its config and credentials files: section → key → value. */
export type IniFile = Map<string, Map<string, string>>;

/**
 * Parses the AWS shared config format: `[section]`, `key = value`, `#` and `;` comments, and
 * nested settings (`secretsmanager =` followed by indented `key = value` lines, kept as
 * `secretsmanager.key`). A file that cannot be read is empty, as for the AWS CLI.
 */
export function readIniFile(path: string): IniFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return new Map();
  }
  const sections: IniFile = new Map();
  let section: Map<string, string> | undefined;
  let parent: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[#;].*$/, '');
    if (!line.trim()) continue;
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      parent = undefined;
      continue;
    }
    const pair = /^(\s*)([^=]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (!pair || !section) continue;
    const [, indent, key, value] = pair as unknown as [string, string, string, string];
    if (indent && parent) section.set(`${parent}.${key}`, value);
    else if (value === '') parent = key;
    else {
      parent = undefined;
      section.set(key, value);
    }
  }
  return sections;
}
