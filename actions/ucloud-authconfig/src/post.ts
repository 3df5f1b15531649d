// ucloud-authconfig post step: removes the temporary output file a cancelled main step left
// behind (output-file.ts). It reads only the state main saved, never an input; after a main step
// that finished, or saved nothing, there is nothing to do and it says nothing.
import { type Environment, info, runPost } from '@cloudcreds/core';
import { removeLeftover, TEMPORARY_FILE_STATE } from './output-file.ts';

export async function run(env: Environment = process.env): Promise<void> {
  await runPost(async () => {
    const removed = removeLeftover(env[`STATE_${TEMPORARY_FILE_STATE}`]);
    if (removed) info(`Removed ${removed}, the temporary output file of a main step that did not finish`);
  });
}
