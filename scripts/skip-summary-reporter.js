// A node:test reporter that lists, once the run is over, every test that was skipped and why (a
// test skips when a tool or service it needs is missing; under CI=true that fails it instead),
// and ends with one plain line of counts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

/** Each file's time (its top-level tests, which run one after another), kept for the next run to start the slowest first. */
function saveTimes(times) {
  const path = process.env.COFFER_TEST_TIMES_FILE;
  if (!path || !times.size) return;
  const saved = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  for (const [file, ms] of times) saved[relative(process.cwd(), file)] = Math.round(ms);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(saved, null, 1)}\n`);
}

export default async function* skipSummary(source) {
  const skipped = [];
  let passed = 0;
  let failed = 0;
  const times = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.nesting === 0 && event.data.file) times.set(event.data.file, (times.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip !== undefined) skipped.push({ name: event.data.name, file: event.data.file, reason: event.data.skip });
    else if (event.data.todo !== undefined) continue;
    else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  if (skipped.length) {
    yield `\nSkipped: ${skipped.length} test(s)\n`;
    for (const { name, file, reason } of skipped) {
      yield `  - ${name}${file ? ` (${relative(process.cwd(), file)})` : ''}: ${reason === true ? 'no reason given' : reason}\n`;
    }
  } else {
    yield '\nSkipped: none\n';
  }
  saveTimes(times);
  yield `tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`;
}
