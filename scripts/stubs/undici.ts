// Resolved in place of undici when bundling (tsconfig.json "paths"). @actions/http-client 4
// imports undici only for getAgentDispatcher(), the proxy dispatcher for fetch() users; this suite
// sends every request through HttpClient.request (node:http, CONNECT tunnels via `tunnel`) and never
// calls it. Even with the real undici, ncc leaves http-client's `new ProxyAgent` unbound, so the
// ~440 kB of undici in a bundle is evaluated at every start and never reachable: leaving it out
// changes no behaviour and makes each run cheaper (bench/README.md says by how much).
export class ProxyAgent {
  constructor() {
    throw new Error('undici is not bundled: send requests with HttpClient.request');
  }
}
