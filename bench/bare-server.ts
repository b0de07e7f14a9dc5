/**
 * The reference for the benchmark: a bare node:http server that reads each
 * request body and answers with one fixed JSON body (a captured
 * GetSecretValue response, so the size matches) and the AWS JSON 1.1 content
 * type. Usage: node dist/bench/bare-server.js --port 0 --body-file <file>
 * Prints "listening on <url>" on stderr.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

function option(name: string, fallback?: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) {
    console.error(`bare-server: ${name} is required`);
    process.exit(2);
  }
  return value;
}

const port = Number(option('--port', '0'));
const body = readFileSync(option('--body-file'));
const headers = {
  'Content-Type': 'application/x-amz-json-1.1',
  'Content-Length': body.length,
};

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  console.error(`bare server listening on http://127.0.0.1:${address.port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
