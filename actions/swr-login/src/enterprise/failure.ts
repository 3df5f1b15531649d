// A failed ShowInstance or temp-credential answer as one error a user can act on (issue 14): the
// code, message and request id read as for CreateSecret (docs/specs/swr.md §4), a hint for what these two
// APIs mean by 403 and 404, and IAM5's encoded_authorization_message kept for the debug log.
import { type HttpResponse, printable, type ServiceError } from '@cloudcreds/core';
import { withAuthorizationMessage } from '../authorization-message.ts';
import { describeSwrFailure } from '../swr.ts';

export type EnterpriseApi = 'show-instance' | 'create-temp-credential';

/** What a request addressed, for the hints. */
export interface EnterpriseTarget {
  region: string;
  projectId: string;
  instanceId: string;
  /** The endpoint's host[:port], which errors name. */
  host?: string;
}

export function describeEnterpriseFailure(
  response: HttpResponse,
  api: EnterpriseApi,
  target: EnterpriseTarget,
): ServiceError {
  const failure = describeSwrFailure(response, target.host).failure;
  const hint = enterpriseHint(response.status, api, target) ?? failure.hint;
  return withAuthorizationMessage({ ...failure, ...(hint ? { hint } : {}) }, response);
}

function enterpriseHint(status: number, api: EnterpriseApi, target: EnterpriseTarget): string | undefined {
  const instance = printable(target.instanceId, 140);
  if (status === 404) {
    return (
      `SWR found no Enterprise instance ${instance} in project ${printable(target.projectId, 140)} of region ` +
      `${printable(target.region, 70)}: check 'instance-id', 'project-id' and 'region'`
    );
  }
  if (status !== 403) return undefined;
  return api === 'show-instance'
    ? `The credentials may not read instance ${instance} (swr:instance:get): grant swr:instance:get, or set ` +
        `'registry' to the instance's host so swr-login skips this lookup`
    : `The credentials may not create a temporary credential for instance ${instance}: grant ` +
        'swr:instance:createTempCredential on it';
}
