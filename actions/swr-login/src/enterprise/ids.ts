// Project and instance ids travel as path segments (`/v2/{project_id}/instances/{instance_id}`).
// Huawei's are hex strings and UUIDs; anything beyond letters, digits, `-` and `_` could change
// the path (`/`, `..`, `%`, `?`) or split the wire form from the signed form, so it is refused
// wherever an id comes in: from an input or from IAM's answer.

const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Why a value cannot be a project or instance id, or undefined when it can. Never echoes it. */
export function resourceIdProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.length > 128) return 'is longer than 128 characters';
  if (!RESOURCE_ID.test(value)) return 'holds characters other than letters, digits, - and _';
  return undefined;
}
