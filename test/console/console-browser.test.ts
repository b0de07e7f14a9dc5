// The web console in a real browser (Debian's Chromium driven by playwright-core) against a live
// server: sign-in (key pair, AssumeRole), a secret created, revealed, hidden, copied and found as
// GetSecretValue in the audit view, a read-only user's denial, a failing rotation's step and
// reason, a public resource policy refused, an IAM user with a key shown once and deactivated,
// and the page at a narrow width. Each page's screenshot goes to CONSOLE_SCREENSHOTS (the README's
// come from `CONSOLE_SCREENSHOTS=docs/screenshots`), else to a temporary directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CreateSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, requiredInCi, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { chromiumInstalled, launchChromium } from '../support/chromium.js';
import { iamQuery, xmlElement } from '../support/iam-query.js';
import { createRotationFunction } from '../rotation/rotation-e2e.js';
import type { RawCredentials } from '../support/raw-client.js';

const LABEL = 'the web console in Chromium';
if (!chromiumInstalled()) {
  if (requiredInCi()) test(LABEL, () => assert.fail('/usr/bin/chromium is not installed (required when CI=true)'));
  else test(LABEL, { skip: 'Chromium is not installed (apt-get install chromium)' }, () => undefined);
} else {
  describeConsole();
}

function describeConsole(): void {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sm: SecretsManagerClient;
  let reader: { userName: string; arn: string; credentials: RawCredentials };
  let webhook: Server;
  const screenshots = process.env.CONSOLE_SCREENSHOTS ?? join(tempDir('coffer-console-'), 'screenshots');
  /** What the page reported that it must not: CSP or Trusted Types violations, uncaught errors. */
  const violations: string[] = [];
  const SECRET_NAME = 'prod/db';
  const PASSWORD = 'correct-horse-battery-staple';
  let secretArn = '';

  const admin = (): RawCredentials => ({ accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
  const consoleUrl = (fragment = '') => `${server.url}/console/${fragment}`;
  const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
  const alert = () => page.getByRole('alert').first();

  async function signIn(credentials: RawCredentials, options: { roleArn?: string; remember?: boolean } = {}): Promise<void> {
    await page.goto(consoleUrl());
    await page.getByLabel('Access key ID').fill(credentials.accessKeyId);
    await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
    if (options.roleArn) {
      await page.getByText('Session token or role').click();
      await page.getByLabel('Role ARN to assume').fill(options.roleArn);
    }
    if (options.remember) await page.getByLabel(/Keep me signed in/).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  }

  async function openSecret(): Promise<void> {
    await page.goto(consoleUrl(`#/secret/${encodeURIComponent(secretArn)}`));
    await page.getByRole('heading', { name: SECRET_NAME, exact: true }).waitFor();
  }

  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    server = await startServer();
    sm = new SecretsManagerClient(clientConfig(server));
    reader = await iamQuery(server).userWith('console-reader', [
      { Effect: 'Allow', Action: ['secretsmanager:List*', 'secretsmanager:Describe*', 'secretsmanager:Get*', 'kms:ListAliases', 'cloudtrail:LookupEvents'], Resource: '*' },
    ]);
    // A rotation webhook whose setSecret step fails, as a database refusing the new password would.
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const step = (JSON.parse(body) as { Step: string }).Step;
        res.writeHead(step === 'setSecret' ? 500 : 200, { 'Content-Type': 'text/plain' });
        res.end(step === 'setSecret' ? 'the database refused the new password' : 'ok');
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy|Trusted ?Type|integrity/i.test(message.text())) violations.push(message.text());
    });
    page.on('pageerror', (error) => violations.push(`uncaught: ${error.message}`));
  });

  after(async () => {
    await browser?.close();
    webhook?.close();
    sm?.destroy();
    assert.equal(await server.stop(), 0);
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
    if (!process.env.CONSOLE_SCREENSHOTS) rmSync(join(screenshots, '..'), { recursive: true, force: true });
  });

  test('a wrong secret key is refused with the server\'s message; the right one signs in, with the keys only in memory', async () => {
    await page.goto(consoleUrl());
    assert.equal(await page.title(), 'Sign in — Coffer console');
    await shot('sign-in');
    // Keyboard only: the access key field has the focus; Tab, type, Enter.
    await page.keyboard.type(server.accessKeyId);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-secret-key');
    await page.keyboard.press('Enter');
    await alert().waitFor();
    assert.match(await alert().innerText(), /InvalidSignatureException|SignatureDoesNotMatch|signature/i);

    await page.getByLabel('Secret access key').fill(server.secretAccessKey);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.match(await page.locator('header').innerText(), /arn:aws:iam::000000000000:root/);
    const stored = await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length, cookie: document.cookie }));
    assert.deepEqual(stored, { session: 0, local: 0, cookie: '' }, 'nothing kept but in memory');
    const url = page.url();
    assert.ok(!url.includes(server.secretAccessKey) && !url.includes(server.accessKeyId), url);
  });

  test('a secret is created, revealed only on demand, hidden again, copied, and its GetSecretValue is in the audit view', async () => {
    await page.getByRole('link', { name: 'Create secret' }).click();
    await page.getByLabel('Name', { exact: true }).fill(SECRET_NAME);
    await page.getByLabel('Description', { exact: true }).fill('Application database');
    await page.getByLabel('Key 1').fill('username');
    await page.getByLabel('Value 1').fill('app');
    await page.getByRole('button', { name: 'Add pair' }).click();
    await page.getByLabel('Key 2').fill('password');
    await page.getByLabel('Value 2').fill(PASSWORD);
    await page.getByLabel('Tags').fill('team=payments');
    await page.getByRole('button', { name: 'Create secret' }).click();
    await page.getByRole('heading', { name: SECRET_NAME, exact: true }).waitFor();
    secretArn = await page.locator('dd code').first().innerText();
    assert.match(secretArn, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod\/db-\w{6}$/);
    const stored = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
    assert.deepEqual(JSON.parse(stored.SecretString!), { username: 'app', password: PASSWORD });

    // Nothing shows the value until Reveal.
    assert.ok(!(await page.content()).includes(PASSWORD));
    await page.clock.install();
    await page.getByRole('button', { name: 'Reveal value' }).click();
    const value = page.getByRole('table', { name: 'Secret value' });
    await value.waitFor();
    assert.match(await value.innerText(), /username\s+app\s+password\s+correct-horse-battery-staple/);
    await shot('secret');
    for (const place of [page.url(), await page.title()]) assert.ok(!place.includes(PASSWORD), place);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(JSON.parse(await page.evaluate(() => navigator.clipboard.readText())).password, PASSWORD);
    // Hidden again after 30 seconds.
    await page.clock.runFor(31_000);
    await value.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(PASSWORD));

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Value', { exact: true }).fill('GetSecretValue');
    await page.getByRole('button', { name: 'Look up' }).click();
    const row = page.getByRole('row').filter({ hasText: secretArn }).first();
    await row.waitFor();
    await row.getByRole('button', { name: /Open GetSecretValue/ }).click();
    const record = page.getByLabel('Full event record');
    assert.match(await record.innerText(), /"eventName": "GetSecretValue"/);
    assert.ok((await record.innerText()).includes(secretArn));
    assert.ok(!(await record.innerText()).includes(PASSWORD), 'the record holds no value');
    await shot('audit');
  });

  test('the secrets list filters by name prefix, tag and description, sorts and pages', async () => {
    await page.getByRole('link', { name: 'Secrets' }).click();
    await page.getByRole('table', { name: 'Secrets' }).waitFor();
    await page.getByLabel('Tag key').fill('team');
    await page.getByLabel('Tag value').fill('payments');
    await page.getByLabel('Description').fill('Application');
    await page.getByLabel('Name starts with').fill('prod/');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: SECRET_NAME }).waitFor();
    await page.getByLabel('Name starts with').fill('staging/');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No secret matches.').waitFor();

    // 27 more: sorted by name, 25 a page.
    for (let i = 0; i < 27; i++) await sm.send(new CreateSecretCommand({ Name: `page/${String(i).padStart(2, '0')}`, SecretString: 'x' }));
    for (const field of ['Tag key', 'Tag value', 'Description']) await page.getByLabel(field).fill('');
    await page.getByLabel('Name starts with').fill('page/');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Sort by').selectOption('name');
    await page.getByLabel('Order').selectOption('asc');
    const firstName = () => page.getByRole('table', { name: 'Secrets' }).locator('tbody tr').first().locator('a').innerText();
    await page.getByRole('link', { name: 'page/00' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Secrets' }).locator('tbody tr').count(), 25);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('link', { name: 'page/25' }).waitFor();
    assert.equal(await firstName(), 'page/25');
    assert.ok(await page.getByRole('button', { name: 'Next' }).isDisabled());
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByRole('link', { name: 'page/00' }).waitFor();
    await page.getByLabel('Name starts with').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Order').selectOption('desc');
    await page.getByRole('link', { name: SECRET_NAME }).waitFor();
    assert.equal(await firstName(), SECRET_NAME);
    await shot('secrets');
  });

  test('a read-only user reads, and sees the server\'s denial when writing', async () => {
    await signOut();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await signIn(reader.credentials);
    await openSecret();
    await page.getByRole('button', { name: 'Add tag' }).waitFor();
    await page.getByLabel('Tag key').fill('owner');
    await page.getByRole('button', { name: 'Add tag' }).click();
    const denied = page.getByRole('alert').filter({ hasText: 'Not allowed' });
    await denied.waitFor();
    const message = await denied.innerText();
    assert.match(message, /AccessDeniedException/);
    assert.ok(message.includes(`User: ${reader.arn} is not authorized to perform: secretsmanager:TagResource on resource: ${secretArn}`), message);
    await page.getByRole('region', { name: 'Tags' }).scrollIntoViewIfNeeded();
    await shot('denied');
    await signOut();
  });

  test('a page the address names as the console starts is the one shown', async () => {
    await page.goto(consoleUrl());
    // The address changes in the very moment the signed-in console first renders, before its effects run.
    await page.evaluate((target) => {
      new MutationObserver((_, observer) => {
        if (!document.querySelector('header .who button')) return;
        observer.disconnect();
        location.hash = target;
      }).observe(document.body, { childList: true, subtree: true });
    }, `#/secret/${encodeURIComponent(secretArn)}`);
    await page.getByLabel('Access key ID').fill(admin().accessKeyId);
    await page.getByLabel('Secret access key').fill(admin().secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: SECRET_NAME, exact: true }).waitFor({ timeout: 10_000 });
    await signOut();
  });

  test('a rotation that fails shows its step and reason', async () => {
    const functionArn = await createRotationFunction(server, 'console-failing', undefined, { Kind: 'webhook', Url: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/` });
    await signIn(admin());
    await openSecret();
    await page.getByLabel('Rotation function ARN').fill(functionArn);
    await page.getByLabel(/^Every/).fill('7');
    await page.getByRole('button', { name: 'Save rotation' }).click();
    await page.getByText('Rotation configured and started.').waitFor();
    const step = page.locator('.failure-step');
    const deadline = Date.now() + 30_000;
    while (!(await step.isVisible())) {
      assert.ok(Date.now() < deadline, 'the failure was not shown');
      await page.waitForTimeout(300);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    assert.equal(await step.innerText(), 'setSecret');
    assert.match(await page.locator('.failure-reason').innerText(), /answered HTTP 500: the database refused the new password/);
    assert.match(await page.locator('.rotation-failure').innerText(), /Last rotation failed/);
    assert.match(await page.getByText('A rotation is running or did not finish').innerText(), /AWSPENDING/);
    await page.getByRole('region', { name: 'Rotation', exact: true }).scrollIntoViewIfNeeded();
    await shot('rotation-failure');
  });

  test('the resource-policy editor refuses a public policy and stores nothing', async () => {
    const editor = page.getByLabel('Policy document (JSON)');
    await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }, null, 2));
    await page.getByRole('button', { name: 'Save policy' }).click();
    const validation = page.getByRole('status', { name: 'Policy validation' });
    await validation.waitFor();
    assert.match(await validation.innerText(), /PUBLIC_ACCESS_CHECK/);
    await page.getByText('The policy was not saved').waitFor();
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: secretArn }))).ResourcePolicy, undefined);
    await page.getByRole('region', { name: 'Resource policy' }).scrollIntoViewIfNeeded();
    await shot('policy-refused');

    // A policy naming the account passes and is saved.
    await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: reader.arn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }));
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('The resource policy was saved.').waitFor();
    assert.match((await sm.send(new GetResourcePolicyCommand({ SecretId: secretArn }))).ResourcePolicy!, /console-reader/);
  });

  test('an IAM user is created with a policy; its access key is shown once, then deactivated', async () => {
    await page.goto(consoleUrl('#/iam/users'));
    await page.getByLabel('User name').fill('console-made');
    await page.getByLabel('Inline policy (optional, JSON)').fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' }] }));
    await page.getByRole('button', { name: 'Create user' }).click();
    const shown = page.getByRole('alert', { name: 'New access key' });
    await shown.waitFor();
    const keyId = await shown.locator('.new-key-id').innerText();
    const secretKey = await shown.locator('.new-key-secret').innerText();
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(secretKey), 'shown once, then gone');
    const signed = await iamQuery(server).send('sts', { Action: 'GetCallerIdentity' }, { accessKeyId: keyId, secretAccessKey: secretKey });
    assert.equal(xmlElement(signed.text, 'Arn'), 'arn:aws:iam::000000000000:user/console-made');

    await page.getByRole('link', { name: 'console-made' }).click();
    await page.getByRole('button', { name: `Deactivate ${keyId}` }).click();
    await page.getByText(`${keyId} is now Inactive.`).waitFor();
    const refused = await iamQuery(server).send('sts', { Action: 'GetCallerIdentity' }, { accessKeyId: keyId, secretAccessKey: secretKey });
    assert.equal(refused.status, 403, refused.text);
    assert.match(await page.getByRole('region', { name: 'Policies', exact: true }).innerText(), /console-inline/);
    await shot('iam-user');
  });

  test('KMS keys, the server page, and a role session by AssumeRole', async () => {
    await page.goto(consoleUrl('#/keys'));
    await page.getByLabel('Description').fill('console key');
    await page.getByLabel('Alias (optional)').fill('console-key');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { level: 1, name: /^Key / }).waitFor();
    await page.getByRole('button', { name: 'Enable rotation' }).click();
    await page.getByText('Automatic rotation is on.').waitFor();
    assert.match(await page.getByRole('region', { name: 'Key', exact: true }).innerText(), /alias\/console-key/);
    await page.goto(consoleUrl('#/keys'));
    await page.getByRole('cell', { name: 'alias/console-key' }).waitFor();
    await shot('keys');
    await page.goto(consoleUrl('#/server'));
    await page.getByText('unsealed').waitFor();
    await shot('server');

    const iam = iamQuery(server);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: reader.arn }, Action: 'sts:AssumeRole' }] });
    const role = xmlElement(await iam.admin({ Action: 'CreateRole', RoleName: 'console-operator', AssumeRolePolicyDocument: trust }), 'Arn')!;
    await signOut();
    await signIn(reader.credentials, { roleArn: role });
    assert.match(await page.locator('header').innerText(), /arn:aws:sts::000000000000:assumed-role\/console-operator\/coffer-console/);
    // The role has no policy: the list says so with the server's words.
    await page.getByRole('alert').filter({ hasText: 'secretsmanager:ListSecrets' }).waitFor();
  });

  test('kept for the tab only when asked: a reload keeps the session, sign-out forgets it', async () => {
    await signOut();
    await signIn(admin(), { remember: true });
    assert.equal(await page.evaluate(() => sessionStorage.length), 1);
    assert.equal(await page.evaluate(() => localStorage.length + document.cookie.length), 0);
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await signOut();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  test('at a narrow width nothing overflows the window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(admin());
    await page.getByRole('table', { name: 'Secrets' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
    await shot('secrets-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(violations, [], 'no CSP, Trusted Types or integrity violation, no uncaught error');
  });
}
