// Runs a Node.js Lambda handler as a Coffer command rotation function.
//
//   node run-lambda.mjs /path/to/index.mjs [handler_name]
//
// Coffer writes the rotation event (the JSON AWS sends a rotation Lambda) to stdin and counts
// exit status 0 as the step done; a handler that throws or rejects exits with status 1 and its
// stack on stderr. ES modules and CommonJS (exports.handler) both load; the context is empty.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, handlerName = 'handler'] = process.argv.slice(2);
if (!modulePath) {
  console.error('usage: run-lambda.mjs MODULE_PATH [HANDLER_NAME]');
  process.exit(2);
}
const module = await import(pathToFileURL(resolve(modulePath)).href);
const handler = module[handlerName] ?? module.default?.[handlerName];
if (typeof handler !== 'function') throw new Error(`${modulePath} exports no function ${handlerName}`);
await handler(JSON.parse(readFileSync(0, 'utf8')), {});
