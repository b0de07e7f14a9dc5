/** Raw bytes over TCP, for requests no HTTP client will send (malformed, smuggled, oversized). */
import { connect } from 'node:net';
import type { TestServer } from './coffer-server.js';

/** Sends `bytes` and returns everything the server wrote until it closed the connection, or went quiet for `quietMs`. */
export function exchangeBytes(server: TestServer, bytes: string, quietMs = 10_000): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(quietMs, () => {
      socket.destroy();
      resolve(answer);
    });
  });
}
