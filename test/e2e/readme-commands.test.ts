// The README's commands, run as a newcomer would run them. Blocks marked `readme-test: run`
// (the Quick start and the Everyday tasks) run in order, as written, in a scratch directory with
// a home of its own and `coffer` put on the PATH by `npm link`, on a terminal (script(1)), against
// the server the Quick start starts. In every other block, each `coffer` command is checked
// against the command itself: it exists and takes the options written.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run } from '../support/child-process.js';
import { completionTable } from '../../src/cli/completion-command.js';

interface Block {
  /** `run`, `run rotation`, `run quick-start-server` or `check`. */
  marker: string;
  /** Each command, its continuation lines joined, with its trailing comment. */
  commands: { text: string; comment: string }[];
}

function readmeBlocks(): Block[] {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const blocks: Block[] = [];
  for (const m of readme.matchAll(/(?:<!-- readme-test: ([^>]*?) -->\n)?```sh\n([\s\S]*?)```/g)) {
    const lines = m[2]!.replace(/\\\n\s*/g, '').split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
    const commands = lines.map((line) => {
      const comment = /\s{2,}#\s(.*)$/.exec(line);
      return { text: comment ? line.slice(0, comment.index).trim() : line.trim(), comment: comment?.[1] ?? '' };
    });
    blocks.push({ marker: m[1] ?? '', commands });
  }
  return blocks;
}

test('every sh block of the README says whether it is run or checked', () => {
  const blocks = readmeBlocks();
  assert.ok(blocks.length > 10);
  for (const block of blocks) assert.match(block.marker, /^(run( \S+)?|check)$/, block.commands.map((c) => c.text).join('\n'));
});

/** Words as the shell splits them (quotes kept together, not expanded). */
function words(text: string): string[] {
  return [...text.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0]);
}

test("the coffer commands of the README's reference blocks exist and take the options written", async () => {
  const table = await completionTable();
  const checked: string[] = [];
  for (const block of readmeBlocks()) {
    for (const { text } of block.commands.flatMap((c) => c.text.split(' && ').map((part) => ({ text: part })))) {
      // The command word, after any VAR=value assignments; `coffer` elsewhere is an argument (a user, an image).
      const all = words(text);
      const at = all.findIndex((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word));
      if (all[at] !== 'coffer') continue;
      // "list | get --name NAME | delete --name NAME": alternatives of one group.
      const segments = all.slice(at + 1).join(' ').split(' | ').map(words);
      let group = '';
      for (const [i, segment] of segments.entries()) {
        let path = i === 0 ? '' : group;
        let rest = segment;
        while (rest.length && table.get(path)?.subcommands.includes(rest[0]!)) {
          group = path;
          path = path ? `${path} ${rest[0]}` : rest[0]!;
          rest = rest.slice(1);
        }
        const entry = table.get(path);
        assert.ok(entry && path, `README: \`${text}\` names no coffer command`);
        for (const word of rest) {
          // The end of coffer's options: what follows is another program's (`coffer run -- node server.js`).
          if (word === '--') break;
          for (const flag of word.replace(/^\[|\]$/g, '').split('|')) {
            if (!flag.startsWith('--')) continue;
            const name = flag.split('=')[0]!;
            assert.ok(entry.options.includes(name), `README: \`${text}\`: coffer ${path} takes no ${name}`);
          }
        }
        checked.push(`coffer ${path}`);
      }
    }
  }
  assert.ok(checked.length >= 20, checked.join('\n'));
});

test('the Quick start and the Everyday tasks run as written', { timeout: 600_000 }, async (t) => {
  if (!(await requireTool(t, 'script (util-linux)', 'script', ['--version']))) return;
  // Under the checkout, not /tmp: the rotation example runs as another user, who must read it.
  mkdirSync(join(PROJECT_ROOT, '.cache'), { recursive: true });
  const scratch = mkdtempSync(join(PROJECT_ROOT, '.cache', 'readme-'));
  chmodSync(scratch, 0o755);
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const work = join(scratch, 'work');
  mkdirSync(work);
  symlinkSync(join(PROJECT_ROOT, 'examples'), join(work, 'examples'));
  const prefix = join(scratch, 'npm-global');
  const home = join(scratch, 'home');
  mkdirSync(home);
  const env = cleanEnv({
    HOME: home,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
  });

  const blocks = readmeBlocks().filter((block) => block.marker.startsWith('run'));
  const [quickStart, ...tasks] = blocks;
  assert.equal(quickStart!.marker, 'run quick-start-server');
  assert.deepEqual(quickStart!.commands.map((c) => c.text), ['npm ci && npm link', 'coffer server']);
  // `npm ci` is what .ci/run begins with; `npm link` runs here, into a prefix of the test's own
  // (its build, the prepare script, is left out: the suite runs on that build).
  const link = await run('npm', ['link'], { ...env, npm_config_prefix: prefix, npm_config_ignore_scripts: 'true' }, { cwd: PROJECT_ROOT });
  assert.equal(link.code, 0, describeRun('npm link', link));
  assert.ok(existsSync(join(prefix, 'bin', 'coffer')), 'npm link puts coffer on the PATH');

  const server = await startQuickStartServer(t, work, env);
  assert.match(server, /Next, once: coffer configure --data-dir .*coffer-data/);

  for (const [i, block] of tasks.entries()) {
    if (block.marker === 'run rotation') {
      const ready = (await requireTool(t, 'bubblewrap (bwrap)', 'bwrap', ['--version'])) && (await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']));
      if (!ready) continue;
    }
    const script = join(scratch, `block-${i}.sh`);
    writeFileSync(
      script,
      block.commands
        .map(({ text, comment }, n) => {
          const refused = /^refused/.test(comment);
          const check = refused ? '[ $rc -ne 0 ] || { echo "README-FAILED: expected a refusal"; exit 1; }' : '[ $rc -eq 0 ] || { echo "README-FAILED: exit $rc"; exit 1; }';
          return `echo "README-RUN ${n}: $(cat <<'EOF'\n${text}\nEOF\n)"\n${text}\nrc=$?\n${check}\n`;
        })
        .join('\n'),
    );
    const result = await run('script', ['-qec', `bash ${script}`, '/dev/null'], env, { cwd: work });
    assert.equal(result.code, 0, describeRun(`README block ${i + 1} of the tasks`, result));
    assert.doesNotMatch(result.stdout, /README-FAILED/, describeRun(`README block ${i + 1}`, result));
    if (block.commands.some((c) => c.text === 'coffer secrets get prod/db')) assert.match(result.stdout, /s3cret/, 'get shows the value on a terminal');
  }
});

/** `coffer server` as the Quick start runs it (on a free port, which it notes for `coffer configure`); stopped after the test. */
async function startQuickStartServer(t: TestContext, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn('bash', ['-c', 'exec coffer server'], { cwd, env: { ...env, COFFER_PORT: '0', COFFER_LOG_FILE: join(cwd, 'server.log') }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coffer server did not start:\n${stderr}`)), 90_000);
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (/Next, once:/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coffer server exited with ${code}:\n${stderr}`));
    });
  });
  return stderr;
}
