export { type ActionMetadata, actionDirectory, readActionMetadata, repoRoot } from './action-metadata.ts';
export { createDockerShim, type DockerCall, type DockerShim } from './docker-shim.ts';
export { parseFileCommands } from './file-commands.ts';
export { findLeaks, type LeakReport, NO_LEAKS } from './leaks.ts';
export { decodeCommandValue, maskText, renderLog, variantsOf } from './masking.ts';
export { missingTools, type Registry, requireTools, startRegistry } from './registry.ts';
export {
  createWorkspace,
  inputEnvironment,
  type RunOptions,
  type RunResult,
  runAction,
  runPostAfter,
  type Workspace,
} from './run-action.ts';
