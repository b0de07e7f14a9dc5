import { Argument, Command } from 'commander';
import { COMMANDS } from './command-table.js';

/** Each command path ('' for coffer itself, 'secrets get', ...) with its subcommands and its options. */
type CompletionTable = Map<string, { subcommands: string[]; options: string[] }>;

/** `coffer completion bash|zsh`: a script that completes commands, subcommands and options. */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print the shell completion script: bash (eval "$(coffer completion bash)" in ~/.bashrc) or zsh (in ~/.zshrc)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh') => {
      const table = await completionTable();
      process.stdout.write(shell === 'bash' ? bashScript(table) : zshScript(table));
    });
}

/** Every command loaded into a program of its own, walked. */
export async function completionTable(): Promise<CompletionTable> {
  const program = new Command('coffer').version('0', '-V, --version');
  for (const entry of COMMANDS) (await entry.load())(program);
  const table: CompletionTable = new Map();
  const walk = (command: Command, path: string, inherited: string[]) => {
    const own = command.options.map((option) => option.long ?? option.short!).filter(Boolean);
    const options = [...new Set([...inherited, ...own, '--help'])];
    const subcommands = command.commands.flatMap((sub) => [sub.name(), ...sub.aliases()]);
    table.set(path, { subcommands, options: path === '' ? ['--help', '--version'] : options });
    // A group's options (--profile, --output) are taken after its subcommands too.
    for (const sub of command.commands) {
      for (const name of [sub.name(), ...sub.aliases()]) walk(sub, path ? `${path} ${name}` : name, path === '' ? [] : options);
    }
  };
  walk(program, '', []);
  return table;
}

/** Two shell functions keyed by command path: the subcommands at a path, and every word that may follow it. */
function caseFunctions(table: CompletionTable, indent: string): string {
  const lines = (pick: (entry: { subcommands: string[]; options: string[] }) => string[]) =>
    [...table].map(([path, entry]) => `${indent}  '${path}') echo '${pick(entry).join(' ')}' ;;`).join('\n');
  return [
    `_coffer_subcommands() {\n${indent}case "$1" in\n${lines((e) => e.subcommands)}\n${indent}esac\n}`,
    `_coffer_words() {\n${indent}case "$1" in\n${lines((e) => [...e.subcommands, ...e.options])}\n${indent}esac\n}`,
  ].join('\n');
}

function bashScript(table: CompletionTable): string {
  return `# bash completion for coffer: eval "$(coffer completion bash)"
${caseFunctions(table, '  ')}
_coffer() {
  local key="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    case " $(_coffer_subcommands "$key") " in
      *" $word "*) key="\${key:+$key }$word" ;;
    esac
  done
  COMPREPLY=($(compgen -W "$(_coffer_words "$key")" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _coffer coffer
`;
}

function zshScript(table: CompletionTable): string {
  return `#compdef coffer
# zsh completion for coffer: eval "$(coffer completion zsh)" after compinit in ~/.zshrc
${caseFunctions(table, '  ')}
_coffer() {
  local key="" word i
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    if [[ " $(_coffer_subcommands "$key") " == *" $word "* ]]; then key="\${key:+$key }$word"; fi
  done
  compadd -- \${=$(_coffer_words "$key")}
  _files
}
compdef _coffer coffer
`;
}
