// Data flows one way (docs/architecture.md, "Layers"): a module of src/ imports only from its own
// layer or a lower one. This reads every import of src/ (static `import … from '…'` and
// `export … from '…'`, and dynamic `import('…')`) and fails on any that points up, unless it is one
// of EXCEPTIONS, which the doc's "Exceptions, and why" lists with the same reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** From the top down, as the doc's table names them; a layer may import its own folders and those below. */
const LAYERS: [layer: string, folders: string[]][] = [
  ['front doors', ['cli', 'console', 'client', 'agent']],
  ['wiring', ['app', 'metrics']],
  ['transport', ['http']],
  ['API', ['api']],
  ['domain', ['secrets', 'rotation', 'iam', 'audit']],
  ['keys', ['keys']],
  ['storage', ['storage']],
  ['beside them', ['shared', 'config', 'log', 'errors', 'backup']],
];

/** Imports allowed although they point up, each with its reason (also in the doc, which says why). */
const EXCEPTIONS: { from: string; to: string; why: string }[] = [];

// Run from dist/test/architecture/: the sources are read, not their build.
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = join(PROJECT_ROOT, 'src');
const DOC = readFileSync(join(PROJECT_ROOT, 'docs/architecture.md'), 'utf8');
const depth = new Map(LAYERS.flatMap(([, folders], index) => folders.map((folder) => [folder, index] as const)));
const layerOf = (path: string) => LAYERS[depth.get(path.split('/')[1]!)!]![0];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every import between files of src/, as `src/…` paths (the `.js` of a specifier read as its `.ts`). */
function imports(): { from: string; to: string }[] {
  return sources(SRC).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.filter(({ fileName }) => fileName.startsWith('.'))
      .map(({ fileName }) => ({
        from: relative(PROJECT_ROOT, file),
        to: relative(PROJECT_ROOT, resolve(dirname(file), fileName)).replace(/\.js$/, '.ts'),
      })),
  );
}

/** The lines of a section of the doc, up to the next heading of its level or above. */
function section(heading: string): string {
  const start = DOC.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `docs/architecture.md has a section "${heading}"`);
  const level = heading.indexOf(' ');
  const rest = DOC.slice(start + heading.length);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

test('every folder of src/ is in a layer', () => {
  const unplaced = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory() && !depth.has(name));
  assert.deepEqual(unplaced, [], 'place each in LAYERS here and in the table of docs/architecture.md');
});

test('the doc names the same folders in each layer', () => {
  const table = section('## Layers').split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| layer') && !line.startsWith('|--'));
  const documented = table.map((row) => {
    const [layer, folders] = row.split('|').slice(1, 3).map((cell) => cell.trim());
    return [layer, [...folders!.matchAll(/`src\/([a-z-]+)/g)].map((m) => m[1]!).sort()];
  });
  assert.deepEqual(documented, LAYERS.map(([layer, folders]) => [layer, [...folders].sort()]));
});

test('no module imports from a higher layer, but for the documented exceptions', () => {
  const all = imports();
  assert.ok(all.length > 500, `${all.length} imports read`);
  const excepted = (i: { from: string; to: string }) => EXCEPTIONS.some((e) => e.from === i.from && e.to === i.to);
  const upward = all.filter((i) => depth.get(i.to.split('/')[1]!)! < depth.get(i.from.split('/')[1]!)!);
  const offending = upward.filter((i) => !excepted(i)).map((i) => `${i.from} (${layerOf(i.from)}) imports ${i.to} (${layerOf(i.to)})`);
  assert.deepEqual(offending, [], 'a lower layer imports a higher one: move what it needs down, or pass it in');
  const unused = EXCEPTIONS.filter((e) => !upward.some((i) => i.from === e.from && i.to === e.to));
  assert.deepEqual(unused, [], 'an exception no longer needed: remove it here and in docs/architecture.md');
});

test('the exceptions here are those the doc lists, and no others', () => {
  const listed = [...section('### Exceptions, and why').matchAll(/^- `(src\/[^`]+)` imports `(src\/[^`]+)`/gm)].map((m) => `${m[1]} → ${m[2]}`);
  assert.deepEqual(listed.sort(), EXCEPTIONS.map((e) => `${e.from} → ${e.to}`).sort());
});
