// Parses GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE the way the runner's FileCommandManager does:
// `NAME=VALUE` when `=` comes before any `<<`, else `NAME<<DELIM` up to a line equal to DELIM.
export function parseFileCommands(content: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = content.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals !== -1 && (heredoc === -1 || equals < heredoc)) {
      result[line.slice(0, equals)] = line.slice(equals + 1);
      continue;
    }
    if (heredoc === -1) throw new Error(`Invalid file command line: ${line}`);
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    const value: string[] = [];
    index++;
    while (index < lines.length && lines[index] !== delimiter) {
      value.push(lines[index] ?? '');
      index++;
    }
    if (index >= lines.length) throw new Error(`Matching delimiter not found: ${delimiter}`);
    result[name] = value.join('\n');
  }
  return result;
}
