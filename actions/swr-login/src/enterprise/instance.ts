// ShowInstance (docs/specs/swr.md §10): the registry host of an Enterprise Edition instance is its
// `access_address`, and its `status` says whether a login can work yet. Pure request builder and
// answer reader; `showInstance` sends through the injected transport.
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
import { registryHostProblem } from '../registry-host.ts';
import { encodeRfc3986 } from '../signer.ts';
import type { Credentials } from '../swr.ts';
import { describeEnterpriseFailure, type EnterpriseTarget } from './failure.ts';

export interface InstanceRequest {
  endpoint: URL;
  projectId: string;
  instanceId: string;
  credentials: Credentials;
}

export interface EnterpriseInstance {
  id: string;
  name?: string;
  status?: string;
  /** host[:port] to log in to. */
  registry: string;
  /** Oddities worth a warning that do not stop the login (an instance not Running). */
  warnings: string[];
}

const SERVICE = 'SWR';
const REGISTRY_HINT = "Set 'registry' to the instance's host[:port] (its default or a custom domain)";

/** `/v2/{project_id}/instances/{instance_id}`; both ids are plain (`resourceIdProblem`). */
export function instancePath(projectId: string, instanceId: string): string {
  return `/v2/${encodeRfc3986(projectId)}/instances/${encodeRfc3986(instanceId)}`;
}

export function createShowInstanceRequest(request: InstanceRequest, now: number): HttpRequest {
  return apiRequest(
    {
      method: 'GET',
      endpoint: request.endpoint,
      path: instancePath(request.projectId, request.instanceId),
      projectId: request.projectId,
      credentials: request.credentials,
    },
    now,
  );
}

/**
 * `access_address` as a registry host: host[:port], or `https://host[:port]` with the scheme
 * stripped (Terraform builds `https://${access_address}`, so either may come). Anything else —
 * another scheme, a path, whitespace — is refused rather than repaired.
 */
export function registryFromAccessAddress(accessAddress: string): { registry: string } | { problem: string } {
  const registry = accessAddress.replace(/^https:\/\//i, '');
  const problem = registryHostProblem(registry);
  return problem === undefined ? { registry } : { problem };
}

/** Reads a ShowInstance answer; anything but a usable 2xx becomes one ServiceError. */
export function readShowInstanceAnswer(response: HttpResponse, target: EnterpriseTarget): EnterpriseInstance {
  if (response.status < 200 || response.status > 299) {
    throw describeEnterpriseFailure(response, 'show-instance', target);
  }
  const instance = printable(target.instanceId, 140);
  const refuse = (problem: string, hint?: string): ServiceError =>
    new ServiceError({ ...answerOf(SERVICE, response, target.host), problem, ...(hint ? { hint } : {}) });
  const parsed = parseJson(response);
  if (!parsed.ok)
    throw refuse(`${parsed.problem}, so it does not describe instance ${instance}`, REGISTRY_HINT);
  if (!isObject(parsed.value)) throw refuse(`it sent no instance object for ${instance}`, REGISTRY_HINT);
  const body = parsed.value;
  const accessAddress = stringField(body, 'access_address');
  if (!accessAddress) throw refuse(`instance ${instance} has no access_address`, REGISTRY_HINT);
  const host = registryFromAccessAddress(accessAddress);
  if ('problem' in host) {
    throw refuse(
      `the access_address of instance ${instance} ("${printable(accessAddress, 100)}") is refused: ${host.problem}`,
      REGISTRY_HINT,
    );
  }
  const name = stringField(body, 'name') || undefined;
  const status = stringField(body, 'status') || undefined;
  const label = name ? `${printable(name, 100)} (${instance})` : instance;
  const warnings: string[] = [];
  if (status === undefined) {
    warnings.push(`SWR did not say whether Enterprise instance ${label} is Running; logging in anyway`);
  } else if (status !== 'Running') {
    warnings.push(
      `SWR Enterprise instance ${label} is ${printable(status, 40)}, not Running: the docker login may fail`,
    );
  }
  return {
    id: target.instanceId,
    ...(name !== undefined ? { name } : {}),
    ...(status !== undefined ? { status } : {}),
    registry: host.registry,
    warnings,
  };
}

export async function showInstance(
  request: InstanceRequest & { region: string },
  options: SendOptions,
): Promise<EnterpriseInstance> {
  const now = (options.clock ?? systemClock).now();
  const response = await send(createShowInstanceRequest(request, now), options);
  return readShowInstanceAnswer(response, { ...request, host: request.endpoint.host });
}
