// The service files in deploy/: the systemd unit passes systemd's own checks and is hardened,
// the configuration it names is valid, and the container file builds from what the repository holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, PROJECT_ROOT } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run } from '../support/child-process.js';

const UNIT = join(PROJECT_ROOT, 'deploy/coffer.service');

test('the systemd unit passes systemd-analyze verify, and its exposure is low', async (t) => {
  if (!(await requireTool(t, 'systemd-analyze', 'systemd-analyze', ['--version']))) return;
  const verify = await run('systemd-analyze', ['verify', UNIT], cleanEnv({}));
  assert.equal(verify.code, 0, describeRun('systemd-analyze verify', verify));
  assert.equal(verify.stderr.trim(), '', describeRun('systemd-analyze verify', verify));
  const security = await run('systemd-analyze', ['security', '--offline=true', UNIT], cleanEnv({}));
  const exposure = /Overall exposure level for coffer\.service: ([\d.]+)/.exec(security.stdout);
  assert.ok(exposure, describeRun('systemd-analyze security', security));
  assert.ok(Number(exposure[1]) <= 2, `exposure ${exposure[1]} (0 is the most hardened, 10 the least)`);
  const unit = readFileSync(UNIT, 'utf8');
  for (const setting of ['User=coffer', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'StateDirectory=coffer', 'CapabilityBoundingSet=\n']) {
    assert.ok(unit.includes(setting), `the unit sets ${setting.trim()}`);
  }
});

test('the configuration file the unit starts with is valid', async () => {
  const out = await run(process.execPath, [BIN, 'server', '--config', join(PROJECT_ROOT, 'deploy/coffer.toml'), '--print-config'], cleanEnv({}));
  assert.equal(out.code, 0, describeRun('coffer server --print-config', out));
  assert.match(out.stdout, /^data-dir = "\/var\/lib\/coffer" +# file$/m);
  assert.match(out.stdout, /^metrics-port = 9464 +# file$/m);
  assert.match(readFileSync(UNIT, 'utf8'), /^ExecStart=.* server --config \/etc\/coffer\/coffer\.toml$/m);
});

test('the container file copies only what the repository holds and runs coffer as its own user', () => {
  const file = readFileSync(join(PROJECT_ROOT, 'deploy/Containerfile'), 'utf8');
  for (const [, sources] of file.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const source of sources!.split(' ')) assert.ok(existsSync(join(PROJECT_ROOT, source)), `COPY ${source}: it exists`);
  }
  assert.match(file, /^USER coffer$/m);
  assert.match(file, /^VOLUME \/var\/lib\/coffer$/m);
  assert.match(file, /^ENTRYPOINT \["node", "\/opt\/coffer\/bin\/coffer\.js"\]$/m);
  assert.ok(existsSync(join(PROJECT_ROOT, 'bin/coffer.js')));
});
