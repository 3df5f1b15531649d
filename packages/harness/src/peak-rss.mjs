// Loaded into every bundle the harness runs (NODE_OPTIONS=--import): records the process's peak
// resident set size at exit, so memory bounds (a 50 MB answer must not be buffered) are measured
// on the real bundle.
import { writeFileSync } from 'node:fs';

const file = process.env.TEST_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
