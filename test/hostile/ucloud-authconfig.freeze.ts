// Loaded into the bundle (NODE_OPTIONS=--import) by the cancel cases of
// ucloud-authconfig.fire.test.ts, as the harness loads its DNS guard: it holds the process at the
// one moment a cancel is dangerous — the temporary output file is written and about to be renamed
// over the real one. Just before that rename it writes its pid to FREEZE_MARKER and stops itself
// (SIGSTOP), so the test can see the moment from outside (the marker, and the process state `T` in
// /proc) and deliver the runner's signals exactly then. It patches both renames the action has
// ever used (fs.promises.rename, fs.renameSync), so the same case runs against any version of it.
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const directory = process.env['FREEZE_BEFORE_RENAME_IN'];
const marker = process.env['FREEZE_MARKER'];

if (directory && marker) {
  const fs = process.getBuiltinModule('node:fs');
  const freezeBeforeRenaming = (from: unknown): void => {
    const path = String(from);
    if (dirname(path) !== directory || !path.endsWith('.tmp')) return;
    writeFileSync(marker, String(process.pid));
    process.kill(process.pid, 'SIGSTOP');
  };
  const { renameSync } = fs;
  fs.renameSync = (from, to) => {
    freezeBeforeRenaming(from);
    renameSync(from, to);
  };
  const { rename } = fs.promises;
  fs.promises.rename = (from, to) => {
    freezeBeforeRenaming(from);
    return rename(from, to);
  };
}
