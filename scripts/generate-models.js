#!/usr/bin/env node
// Generates two files per service from the botocore service models:
// - src/api/<svc>/model.generated.ts: the operation table plus the input shapes, stripped
//   to what request validation needs. Query-protocol services (IAM, STS) have no target
//   prefix: theirs also carries the API version and XML namespace, the output shapes (the
//   XML writer walks them) and the HTTP status of each modelled error code.
// - src/api/<svc>/types.generated.ts: each operation's request and response as TypeScript
//   types (an interface per structure, a union per enum), which type the handlers.
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

/** The names of the shapes reachable from `roots`. */
function reachableFrom(svc, shapes, roots) {
  const reachable = new Set();
  const stack = roots.filter(Boolean);
  while (stack.length) {
    const name = stack.pop();
    if (reachable.has(name)) continue;
    if (!shapes[name]) throw new Error(`${svc}: unknown shape ${name}`);
    reachable.add(name);
    stack.push(...children(shapes[name]));
  }
  return reachable;
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
  const reachable = reachableFrom(svc, shapes, ops.flatMap(([, op]) => (query ? [op.input, op.output] : [op.input])));
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
  generateTypes(svc, model, ops, dir);
}

/** Shape and operation names are identifiers in botocore; quote anything that is not. */
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/**
 * The TypeScript type of a member of shape `name`: structures and enums by their names,
 * lists and maps spelled out, scalars as handlers see them. Timestamps are epoch seconds
 * on both protocols (JSON 1.1 carries them so; the query decoder and XML writer convert
 * to and from ISO 8601), blobs base64 text.
 */
function tsType(shapes, name) {
  const shape = shapes[name];
  switch (shape.type) {
    case 'structure':
      return name;
    case 'list': {
      const member = tsType(shapes, shape.member.shape);
      return /^[\w$]+$/.test(member) ? `${member}[]` : `Array<${member}>`;
    }
    case 'map':
      return `Record<string, ${tsType(shapes, shape.value.shape)}>`;
    case 'string':
      return shape.enum ? name : 'string';
    case 'blob':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
    case 'timestamp':
      return 'number';
    default:
      throw new Error(`unknown shape type ${shape.type} of ${name}`);
  }
}

/** A structure as an interface, members in model order, optional unless the model requires them. */
function structureType(shapes, name) {
  const shape = shapes[name];
  const required = new Set(shape.required ?? []);
  const members = Object.entries(shape.members ?? {}).map(
    ([member, ref]) => `  ${key(member)}${required.has(member) ? '' : '?'}: ${tsType(shapes, ref.shape)};`,
  );
  return members.length ? [`export interface ${name} {`, ...members, `}`] : [`export interface ${name} {}`];
}

/** The request and response types of every operation, and the `Operations` map that names them. */
function generateTypes(svc, { metadata, shapes }, ops, dir) {
  const reachable = reachableFrom(svc, shapes, ops.flatMap(([, op]) => [op.input, op.output]));
  if (reachable.has('Operations')) throw new Error(`${svc}: a shape is named Operations`);
  const named = [...reachable].sort().filter((name) => shapes[name].type === 'structure' || shapes[name].enum);
  const lines = [
    `// GENERATED FILE - DO NOT EDIT.`,
    `// Generated from the botocore model ${svc}/service-2.json (API version ${metadata.apiVersion})`,
    `// by scripts/generate-models.js; re-run \`npm run generate-models\` to refresh.`,
    `// Requests and responses as handlers see them: timestamps in epoch seconds, blobs as base64 text.`,
    ``,
    `/**`,
    ` * Each operation's request (\`input\`: \`object\` where the model has no input shape, so the`,
    ` * body goes unvalidated) and response (\`output\`: \`void\` where the model has none).`,
    ` */`,
    `export interface Operations {`,
    ...ops.map(([name, op]) => `  ${key(name)}: { input: ${op.input ?? 'object'}; output: ${op.output ?? 'void'} };`),
    `}`,
    ...named.flatMap((name) => [
      ``,
      ...(shapes[name].type === 'structure' ? structureType(shapes, name) : [`export type ${name} = ${shapes[name].enum.map(quote).join(' | ')};`]),
    ]),
    ``,
  ];
  const file = join(dir, 'types.generated.ts');
  writeFileSync(file, lines.join('\n'));
  console.log(`${file}: ${ops.length} operations, ${named.length} types`);
}

for (const svc of SERVICES) generate(svc);
