// Loaded into the bundle under test (NODE_OPTIONS=--import) by cse-token.fire.test.ts: appends one
// line to CONNECT_COUNT_FILE for every TCP connection the process starts, so a test can count
// connection attempts to endpoints that refuse them (no server there to count them).
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const file = process.env['CONNECT_COUNT_FILE'];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function countedConnect(this: net.Socket, ...args: unknown[]) {
  if (file) appendFileSync(file, 'connect\n');
  return (connect as (...rest: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;
