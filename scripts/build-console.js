#!/usr/bin/env node
// Builds the web console into dist/console: type-checks src/console (browser code, its own
// tsconfig), bundles it with esbuild into content-addressed files, and writes index.html naming
// each with its Subresource Integrity hash. Prints the bundle's size, raw and gzipped.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const SOURCE = 'src/console';
const OUT = 'dist/console';

const check = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', join(SOURCE, 'tsconfig.json')], { stdio: 'inherit' });
if (check.status !== 0) process.exit(check.status ?? 1);

const result = await build({
  entryPoints: [join(SOURCE, 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: 'console-[hash]',
  outdir: OUT,
  write: false,
  logLevel: 'warning',
});

mkdirSync(OUT, { recursive: true });
const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const files = {};
for (const file of result.outputFiles) {
  writeFileSync(file.path, file.contents);
  files[file.path.endsWith('.css') ? 'css' : 'js'] = { name: basename(file.path), contents: file.contents };
}
const icon = readFileSync(join(SOURCE, 'favicon.svg'));
const iconName = `favicon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`;
writeFileSync(join(OUT, iconName), icon);

const page = readFileSync(join(SOURCE, 'index.html'), 'utf8')
  .replace('%STYLE%', `<link rel="stylesheet" href="${files.css.name}" integrity="${integrity(files.css.contents)}">`)
  .replace('%SCRIPT%', `<script type="module" src="${files.js.name}" integrity="${integrity(files.js.contents)}"></script>`)
  .replace('%ICON%', `<link rel="icon" href="${iconName}" type="image/svg+xml">`);
writeFileSync(join(OUT, 'index.html'), page);

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const bundled = [files.js.contents, files.css.contents];
const raw = bundled.reduce((sum, c) => sum + c.length, 0);
const gzipped = bundled.reduce((sum, c) => sum + gzipSync(c, { level: 9 }).length, 0);
console.log(`console: ${files.js.name} + ${files.css.name}, ${kb(raw)} (${kb(gzipped)} gzipped)`);
