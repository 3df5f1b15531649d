// The project id the Enterprise APIs need in their path, when the `project-id` input is not set
// (docs/specs/swr.md §10): IAM `GET /v3/projects?name=<region>` AK/SK-signed, as the official SDK resolves it,
// or `GET /v3/auth/projects` with an IAM token (no permission needed). Exactly one project named
// as the region must come back; every other outcome is one error that says to set `project-id`,
// which is also the fix for least-privilege users that IAM refuses the listing.
import {
  type HttpRequest,
  type HttpResponse,
  isObject,
  parseJson,
  printable,
  type SendOptions,
  ServiceError,
  send,
  stringField,
  systemClock,
} from '@cloudcreds/core';
import { answerOf } from '../answer.ts';
import { apiRequest } from '../api-request.ts';
import { withAuthorizationMessage } from '../authorization-message.ts';
import { readRefusal } from '../federation/failure.ts';
import type { Credentials } from '../swr.ts';
import { resourceIdProblem } from './ids.ts';

const SERVICE = 'IAM';
export const PROJECTS_PATH = '/v3/projects';
export const AUTH_PROJECTS_PATH = '/v3/auth/projects';

export interface ProjectLookupRequest {
  /** IAM's base URL (the `iam-endpoint` input, else the region's IAM host). */
  iamEndpoint: URL;
  /** The project to find is named as the region. */
  region: string;
  credentials: Credentials;
}

export function createProjectLookupRequest(request: ProjectLookupRequest, now: number): HttpRequest {
  const common = { method: 'GET', endpoint: request.iamEndpoint, credentials: request.credentials } as const;
  return request.credentials.kind === 'iam-token'
    ? apiRequest({ ...common, path: AUTH_PROJECTS_PATH }, now)
    : apiRequest({ ...common, path: PROJECTS_PATH, query: [['name', request.region]] }, now);
}

function setProjectId(region: string): string {
  return (
    `Set 'project-id' to the id of project ${printable(region, 70)} (console: My Credentials, API Credentials) ` +
    'so swr-login need not look it up'
  );
}

/** The id of the one project named as the region; anything else becomes one ServiceError. */
/** `host` is IAM's host[:port], which errors name. */
export function readProjectLookupAnswer(response: HttpResponse, region: string, host?: string): string {
  if (response.status < 200 || response.status > 299)
    throw describeProjectLookupFailure(response, region, host);
  const name = printable(region, 70);
  const refuse = (problem: string): ServiceError =>
    new ServiceError({ ...answerOf(SERVICE, response, host), problem, hint: setProjectId(region) });
  const parsed = parseJson(response);
  if (!parsed.ok) throw refuse(`${parsed.problem}, so it carries no project list`);
  const projects = isObject(parsed.value) ? parsed.value['projects'] : undefined;
  if (!Array.isArray(projects)) throw refuse('it sent no "projects" list');
  const matches = projects.filter((project) => isObject(project) && project['name'] === region);
  if (matches.length === 0) throw refuse(`it lists no project named ${name}`);
  if (matches.length > 1) throw refuse(`it lists ${matches.length} projects named ${name}`);
  const id = stringField(matches[0] as Record<string, unknown>, 'id') ?? '';
  const problem = resourceIdProblem(id);
  if (problem) throw refuse(`the id of project ${name} it lists ${problem}`);
  return id;
}

function describeProjectLookupFailure(response: HttpResponse, region: string, host?: string): ServiceError {
  const cause =
    response.status === 401
      ? 'IAM did not accept the credentials for the project lookup (the same signature and token rules as SWR apply)'
      : response.status === 403
        ? 'The credentials may not list IAM projects, as is usual for least-privilege users'
        : response.status === 404
          ? "This IAM endpoint has no project API: check 'iam-endpoint'"
          : 'IAM could not look up the project id';
  return withAuthorizationMessage(
    {
      service: SERVICE,
      ...(host ? { host } : {}),
      status: response.status,
      ...readRefusal(response),
      hint: `${cause}. ${setProjectId(region)}`,
    },
    response,
  );
}

export async function lookupProjectId(request: ProjectLookupRequest, options: SendOptions): Promise<string> {
  const now = (options.clock ?? systemClock).now();
  const response = await send(createProjectLookupRequest(request, now), options);
  return readProjectLookupAnswer(response, request.region, request.iamEndpoint.host);
}
