// One call of the StudioApi from a transport (IPC or HTTP): checked against the shared contract (method
// name and argument shapes), then run on the service. Both transports go through here.

import { checkStudioCall, type StudioMethod } from '../../src-shared/studio-api.js';
import type { StudioService } from './service.js';

export class StudioCallError extends Error {}

/** Runs `method(...args)` on the service; a call the contract refuses throws StudioCallError first. */
export function dispatchStudioCall(service: StudioService, method: unknown, args: unknown): Promise<unknown> {
  const bad = checkStudioCall(method, args);
  if (bad) return Promise.reject(new StudioCallError(bad));
  const fn = service[method as StudioMethod] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(service, args as unknown[]);
}
