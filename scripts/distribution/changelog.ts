/** The `## [X.Y.Z]` section of a Keep-a-Changelog file: a release's notes. */
export function releaseNotes(changelog: string, version: string): string | undefined {
  const section = changelog.split(/^## /m).find((part) => part.startsWith(`[${version}]`));
  return section?.slice(section.indexOf('\n') + 1).trim();
}
