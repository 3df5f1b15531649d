// What may reach a docker command line: a registry host that is a plain host[:port], and user
// names and passwords that cannot smuggle options or lines. Light (no I/O, no core): the input
// reader checks the `registry` input with it before anything heavy loads.

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const REGISTRY_HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?$`);

/** Why a registry key is not a plain host[:port], or undefined when it is one. */
export function registryHostProblem(registry: string): string | undefined {
  const smuggling = smugglingProblem(registry);
  if (smuggling) return `the registry host ${smuggling}`;
  const match = REGISTRY_HOST.exec(registry);
  if (!match || registry.length > 260) return 'the registry host is not host[:port]';
  const port = match[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return 'the registry port is not between 1 and 65535';
  }
  return undefined;
}

/**
 * Why a value could smuggle options or lines into a docker command line or stdin, or undefined.
 * The value itself is never echoed: it may be a password.
 */
export function smugglingProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.startsWith('-')) return "starts with '-' (it would read as an option)";
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'contains control characters';
  if (/\s/.test(value)) return 'contains whitespace';
  return undefined;
}
