// Loaded into every bundle the harness runs (NODE_OPTIONS=--import): the machine's DNS resolver
// is off the machine, so even a lookup of a real cloud hostname would be traffic leaving it. Only
// `localhost` and IP literals are resolved; any other name fails as an unknown host would, and is
// written to TEST_DNS_LOG so the harness can fail the test that caused it.

import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import { isIP } from 'node:net';

const log = process.env.TEST_DNS_LOG;
const lookup = dns.lookup;
const lookupPromise = dns.promises.lookup;
const allowed = (hostname) => hostname === 'localhost' || isIP(hostname) !== 0;

function blocked(hostname) {
  if (log) appendFileSync(log, `${hostname}\n`);
  const error = new Error(`getaddrinfo ENOTFOUND ${hostname} (lookup blocked by the test harness)`);
  return Object.assign(error, { code: 'ENOTFOUND', hostname });
}

dns.lookup = function guardedLookup(hostname, options, callback) {
  if (allowed(hostname)) return lookup.call(this, hostname, options, callback);
  const done = typeof options === 'function' ? options : callback;
  process.nextTick(() => done(blocked(hostname)));
  return {};
};
dns.promises.lookup = function guardedLookupPromise(hostname, options) {
  if (allowed(hostname)) return lookupPromise.call(this, hostname, options);
  return Promise.reject(blocked(hostname));
};
