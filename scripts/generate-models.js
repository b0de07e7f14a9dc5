#!/usr/bin/env node
// Generates src/api/<svc>/model.generated.ts from the botocore service models: the
// operation table plus the input shapes, stripped to what request validation needs.
// Query-protocol services (IAM, STS) have no target prefix: theirs also carries the
// API version and XML namespace, the output shapes (the XML writer walks them) and
// the HTTP status of each modelled error code.
// Usage: node scripts/generate-models.js [modelsDir]   (default ../shared/reference/aws-models)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = resolve(process.argv[2] ?? join(root, '..', 'shared', 'reference', 'aws-models'));
const SERVICES = ['secretsmanager', 'kms', 'cloudtrail', 'iam', 'sts'];

/** Reduce a botocore shape to the fields validation reads, in a fixed key order. */
function reduce(shape) {
  const out = { type: shape.type };
  if (shape.members) out.members = Object.fromEntries(Object.entries(shape.members).map(([n, m]) => [n, m.shape]));
  if (shape.required?.length) out.required = [...shape.required];
  if (shape.member) out.member = shape.member.shape;
  if (shape.key) out.key = shape.key.shape;
  if (shape.value) out.value = shape.value.shape;
  for (const k of ['min', 'max', 'pattern', 'enum']) if (shape[k] !== undefined) out[k] = shape[k];
  if (shape.sensitive) out.sensitive = true;
  return out;
}

/** A single-quoted TS string literal (the project's style) for a plain identifier-like value. */
const quote = (s) => (/^[\w.-]*$/.test(s) ? `'${s}'` : JSON.stringify(s));

/** Names of the shapes a shape refers to. */
function children(shape) {
  return [
    ...Object.values(shape.members ?? {}).map((m) => m.shape),
    ...[shape.member, shape.key, shape.value].filter(Boolean).map((r) => r.shape),
  ];
}

/** What a query service adds: its version and namespace, and each error code's HTTP status. */
function queryHeader(metadata, shapes) {
  const errors = Object.values(shapes)
    .filter((shape) => shape.exception && shape.error?.code)
    .map((shape) => [shape.error.code, shape.error.httpStatusCode ?? 400])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    `export const apiVersion = ${quote(metadata.apiVersion)};`,
    `export const xmlNamespace = ${quote(metadata.xmlNamespace)};`,
    ``,
    `/** HTTP status of each error code the model declares. */`,
    `export const errorStatus: Record<string, number> = {`,
    ...errors.map(([code, status]) => `  ${/^[A-Za-z_$][\w$]*$/.test(code) ? code : JSON.stringify(code)}: ${status},`),
    `};`,
    ``,
  ];
}

function generate(svc) {
  const model = JSON.parse(readFileSync(join(modelsDir, svc, 'service-2.json'), 'utf8'));
  const { metadata, operations, shapes } = model;
  const query = metadata?.protocol === 'query';
  if ((!metadata?.targetPrefix && !query) || !operations || !shapes) throw new Error(`${svc}: neither a JSON nor a query botocore model`);

  const opNames = Object.keys(operations).sort();
  const ops = opNames.map((name) => {
    const op = {};
    if (operations[name].input) op.input = operations[name].input.shape;
    if (operations[name].output) op.output = operations[name].output.shape;
    return [name, op];
  });

  // Only shapes reachable from operation inputs (JSON outputs are never validated), and for
  // query services from outputs too (the XML writer needs their types).
  const reachable = new Set();
  const stack = ops.flatMap(([, op]) => (query ? [op.input, op.output] : [op.input])).filter(Boolean);
  while (stack.length) {
    const name = stack.pop();
    if (reachable.has(name)) continue;
    if (!shapes[name]) throw new Error(`${svc}: unknown shape ${name}`);
    reachable.add(name);
    stack.push(...children(shapes[name]));
  }

  // Shape and operation names are identifiers in botocore; quote anything that is not.
  const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
  const lines = [
    `// GENERATED FILE - DO NOT EDIT.`,
    `// Generated from the botocore model ${svc}/service-2.json (API version ${metadata.apiVersion})`,
    `// by scripts/generate-models.js; re-run \`npm run generate-models\` to refresh.`,
    `import type { Shape } from '../model-types.js';`,
    ``,
    ...(query ? queryHeader(metadata, shapes) : [`export const targetPrefix = ${quote(metadata.targetPrefix)};`]),
    `export const signingName = ${quote(metadata.signingName ?? metadata.endpointPrefix)};`,
    ``,
    `export const operations: Record<string, { input?: string; output?: string }> = {`,
    ...ops.map(([name, op]) => `  ${key(name)}: ${JSON.stringify(op)},`),
    `};`,
    ``,
    `export const shapes: Record<string, Shape> = {`,
    ...[...reachable].sort().map((name) => `  ${key(name)}: ${JSON.stringify(reduce(shapes[name]))},`),
    `};`,
    ``,
  ];
  const dir = join(root, 'src', 'api', svc);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'model.generated.ts');
  writeFileSync(file, lines.join('\n'));
  console.log(`${file}: ${ops.length} operations, ${reachable.size} shapes`);
}

for (const svc of SERVICES) generate(svc);
