export { type ActionMetadata, actionDirectory, readActionMetadata, repoRoot } from './action-metadata.ts';
export { dockerAuths } from './docker-config.ts';
export { createDockerShim, type DockerCall, type DockerShim } from './docker-shim.ts';
export { parseFileCommands } from './file-commands.ts';
export {
  closedPort,
  type FileCommand,
  type FileCommandFiles,
  fakeClock,
  fileCommandFiles,
  instantClock,
  type RecordingLogger,
  recordingLogger,
  recordMasks,
} from './in-process.ts';
export { findLeaks, type LeakReport, NO_LEAKS } from './leaks.ts';
export { decodeCommandValue, maskText, renderLog, variantsOf } from './masking.ts';
export { missingTools, type Registry, requireTools, startRegistry } from './registry.ts';
export { type ErrorLine, rendered } from './rendered.ts';
export {
  createWorkspace,
  inputEnvironment,
  type RunOptions,
  type RunResult,
  runAction,
  runPostAfter,
  type Workspace,
} from './run-action.ts';
export { rejectedServiceError, thrownServiceError } from './service-errors.ts';
