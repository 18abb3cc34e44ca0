// Shared by the Node cases: the pool's coordinates (set by the Go harness,
// main_test.go), the AWS SDK v3 client pointed at the pool, the outbox, and
// the case runner. Each script is run as `node SCRIPT CASE` (or --list).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the cases through go test`);
  return v;
}

export const pool = {
  get endpoint() { return required('COGNITO_ENDPOINT'); },
  get id() { return required('COGNITO_POOL_ID'); },
  get issuer() { return required('COGNITO_ISSUER'); },
  get clientId() { return required('COGNITO_CLIENT_ID'); },
  get outbox() { return required('COGNITO_OUTBOX'); },
};

// A password that satisfies Cognito's default policy (8 characters, upper
// and lower case, a number and a symbol).
export const PASSWORD = 'Correct-Horse-9';

// unique names a user so that cases never share one.
export function unique(prefix) {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

// idp is the AWS SDK for JavaScript v3 client of the pool; credentials and
// region come from the environment (dummy ones: the pool checks none).
export function idp() {
  return new CognitoIdentityProviderClient({ endpoint: pool.endpoint, maxAttempts: 1 });
}

// rejects awaits a call that must fail with the named Cognito error and
// returns the error.
export async function rejects(promise, name, message) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `want ${name}, the call succeeded`);
  const got = err.name ?? err.code;
  assert.equal(got, name, `want ${name}, got ${got}: ${err.message}`);
  if (message !== undefined) assert.match(err.message, message);
  return err;
}

// confirmedUser creates a confirmed user with a permanent password, the
// way an administrator provisions one (AdminCreateUser with SUPPRESS, then
// AdminSetUserPassword Permanent).
export async function confirmedUser(username, attributes = {}, password = PASSWORD, poolId = pool.id) {
  const c = idp();
  await c.send(new AdminCreateUserCommand({
    UserPoolId: poolId,
    Username: username,
    MessageAction: 'SUPPRESS',
    TemporaryPassword: 'Temp-Password-1',
    UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  }));
  await c.send(new AdminSetUserPasswordCommand({
    UserPoolId: poolId, Username: username, Password: password, Permanent: true,
  }));
}

// outbox lists what the pool would have sent to username
// (GET /local/outbox?pool=…&username=…), oldest first.
export async function outbox(username, poolId = pool.id) {
  const q = new URLSearchParams({ pool: poolId, username });
  const res = await fetch(`${pool.outbox}?${q}`);
  assert.equal(res.status, 200, `GET /local/outbox: ${res.status}`);
  const body = await res.json();
  return Array.isArray(body) ? body : body.messages;
}

// latestCode is the code of the newest outbox message of the given kind.
export async function latestCode(username, kind, poolId = pool.id) {
  const list = (await outbox(username, poolId)).filter((m) => kind === undefined || m.kind === kind);
  assert.ok(list.length > 0, `no ${kind ?? ''} message in the outbox for ${username}`);
  const code = list[list.length - 1].code;
  assert.match(code, /^\d{6}$/, 'codes are six digits');
  return code;
}

// jwtPayload decodes a token's payload without verifying it (the Go side
// verifies the tokens that matter).
export function jwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

// run runs the case named on the command line; a case may return a value,
// printed as the line `RESULT <json>` for the Go side to check.
export async function run(cases) {
  const name = process.argv[2];
  if (name === '--list') {
    console.log(Object.keys(cases).join('\n'));
    return;
  }
  const f = cases[name];
  if (!f) {
    console.error(`unknown case ${JSON.stringify(name)}; cases: ${Object.keys(cases).join(', ')}`);
    process.exit(2);
  }
  const result = await f();
  if (result !== undefined) console.log('RESULT ' + JSON.stringify(result));
}
