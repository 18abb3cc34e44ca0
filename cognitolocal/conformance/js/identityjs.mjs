// Cases driven by amazon-cognito-identity-js, the library under most
// React/Vue/Angular front ends of Cognito, run in Node. Its default
// sign-in is SRP (USER_SRP_AUTH). API reference pages are cited as
// API_<Operation>, for
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html;
// developer-guide pages by title, under
// https://docs.aws.amazon.com/cognito/latest/developerguide/.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import identity from 'amazon-cognito-identity-js';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PASSWORD, confirmedUser, idp, latestCode, pool, rejects, run, unique } from './common.mjs';
import { freshCode } from './totp.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool } = identity;

// userPool is identity-js's pool object, pointed at the local endpoint.
function userPool(clientId = pool.clientId, poolId = pool.id) {
  return new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: pool.endpoint });
}

// recordCalls wraps the pool's request function to list the operations
// identity-js sends, with the challenge each RespondToAuthChallenge
// answers and whether it carried DEVICE_KEY.
function recordCalls(userPool) {
  const calls = [];
  const request = userPool.client.request.bind(userPool.client);
  userPool.client.request = (operation, params, callback) => {
    const device = params.AuthParameters?.DEVICE_KEY ?? params.ChallengeResponses?.DEVICE_KEY;
    calls.push({ operation, challenge: params.ChallengeName, device });
    return request(operation, params, callback);
  };
  return calls;
}

// srpClient creates an app client with the flows Cognito gives a client
// created through the API without ExplicitAuthFlows (USER_SRP_AUTH among
// them; API_CreateUserPoolClient, ExplicitAuthFlows).
async function srpClient(generateSecret = false) {
  return (await srpClientWithSecret(generateSecret)).clientId;
}

async function srpClientWithSecret(generateSecret) {
  const out = await idp().send(new CreateUserPoolClientCommand({
    UserPoolId: pool.id, ClientName: 'web', GenerateSecret: generateSecret,
  }));
  return { clientId: out.UserPoolClient.ClientId, clientSecret: out.UserPoolClient.ClientSecret };
}

// withSecretHash is what an app does to use identity-js with a client
// that has a secret, as identity-js computes no SECRET_HASH: it wraps
// the pool's request function (shared by every CognitoUser of the pool)
// and adds SECRET_HASH, Base64(HMAC-SHA256(secret, USERNAME + client
// ID)) (developer guide, "Computing secret hash values"), to the
// parameters of InitiateAuth and RespondToAuthChallenge, computed with
// the USERNAME each request carries: in the PASSWORD_VERIFIER answer
// that is USER_ID_FOR_SRP. It returns the operations it signed.
function withSecretHash(userPool, clientSecret) {
  const signed = [];
  const hash = (username) =>
    createHmac('sha256', clientSecret).update(username + userPool.getClientId()).digest('base64');
  const request = userPool.client.request.bind(userPool.client);
  userPool.client.request = (operation, params, callback) => {
    const member = { InitiateAuth: 'AuthParameters', RespondToAuthChallenge: 'ChallengeResponses' }[operation];
    if (member && params[member]?.USERNAME) {
      params = { ...params, [member]: { ...params[member], SECRET_HASH: hash(params[member].USERNAME) } };
      signed.push(params.ChallengeName ? `${operation} ${params.ChallengeName}` : `${operation} ${params.AuthFlow}`);
    }
    return request(operation, params, callback);
  };
  return signed;
}

// signIn runs authenticateUser and resolves with the callback that ended
// it: { kind: 'success', session } | { kind: 'newPassword', … } |
// { kind: 'totp' } | ...; a failure rejects.
function signIn(user, password, flow) {
  if (flow) user.setAuthenticationFlowType(flow);
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), {
      onSuccess: (session) => resolve({ kind: 'success', session }),
      onFailure: reject,
      newPasswordRequired: (userAttributes, requiredAttributes) =>
        resolve({ kind: 'newPassword', userAttributes, requiredAttributes }),
      totpRequired: (challengeName, params) => resolve({ kind: 'totp', challengeName, params }),
      mfaRequired: (challengeName, params) => resolve({ kind: 'mfa', challengeName, params }),
      mfaSetup: (challengeName, params) => resolve({ kind: 'mfaSetup', challengeName, params }),
      selectMFAType: (challengeName, params) => resolve({ kind: 'selectMFAType', challengeName, params }),
    });
  });
}

// callbacks adapts a method taking { onSuccess, onFailure, … } to a promise.
function callbacks(f, extra = {}) {
  return new Promise((resolve, reject) => f({ onSuccess: resolve, onFailure: reject, ...extra }));
}

function nodeCallback(f) {
  return new Promise((resolve, reject) => f((err, data) => (err ? reject(err) : resolve(data))));
}

async function signedIn(clientId, username, password = PASSWORD, flow) {
  const user = new CognitoUser({ Username: username, Pool: userPool(clientId) });
  const r = await signIn(user, password, flow);
  assert.equal(r.kind, 'success', `sign-in ended with ${r.kind}`);
  assert.ok(r.session.isValid());
  return { user, session: r.session };
}

// newPasswordRequired: developer guide, "Creating user accounts as
// administrator": a user created by an administrator signs in with the
// temporary password and must choose a new one (the NEW_PASSWORD_REQUIRED
// challenge, API_RespondToAuthChallenge); after it the user is CONFIRMED
// (API_UserType) and the new password signs in.
async function newPasswordRequired(flow) {
  const c = idp();
  const clientId = flow ? pool.clientId : await srpClient();
  const username = unique('nia');
  await c.send(new AdminCreateUserCommand({
    UserPoolId: pool.id, Username: username, MessageAction: 'SUPPRESS',
    TemporaryPassword: 'Temp-Password-1',
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
  }));
  const user = new CognitoUser({ Username: username, Pool: userPool(clientId) });
  const r = await signIn(user, 'Temp-Password-1', flow);
  assert.equal(r.kind, 'newPassword');
  assert.equal(r.userAttributes.email, `${username}@example.com`);
  const session = await callbacks((cb) => user.completeNewPasswordChallenge('Brand-New-Pass-2', {}, cb));
  assert.ok(session.isValid());
  const got = await c.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: username }));
  assert.equal(got.UserStatus, 'CONFIRMED');
  await signedIn(clientId, username, 'Brand-New-Pass-2', flow);
}

await run({
  // With authenticationFlowType USER_PASSWORD_AUTH (API_InitiateAuth), the
  // user signs in, and getUserAttributes (GetUser, API_GetUser) returns the
  // user's attributes; the access token is the user's (developer guide,
  // "Understanding the access token": username, token_use "access").
  async user_password_auth() {
    const username = unique('uma');
    await confirmedUser(username, { email: `${username}@example.com` });
    const { user, session } = await signedIn(pool.clientId, username, PASSWORD, 'USER_PASSWORD_AUTH');
    const attrs = await nodeCallback((cb) => user.getUserAttributes(cb));
    const m = Object.fromEntries(attrs.map((a) => [a.getName(), a.getValue()]));
    assert.equal(m.email, `${username}@example.com`);
    const access = session.getAccessToken();
    assert.equal(access.decodePayload().username, username);
    assert.equal(access.decodePayload().token_use, 'access');
    return { accessToken: access.getJwtToken(), clientId: pool.clientId, username };
  },

  // refreshSession (REFRESH_TOKEN_AUTH, API_InitiateAuth) answers a new
  // session for the same user; globalSignOut (API_GlobalSignOut: Cognito
  // "no longer accepts a signed-out user's refresh tokens in refresh
  // requests") makes the next refresh fail with NotAuthorizedException.
  async refresh_then_global_sign_out() {
    const username = unique('ray');
    await confirmedUser(username);
    const { user, session } = await signedIn(pool.clientId, username, PASSWORD, 'USER_PASSWORD_AUTH');
    const refreshed = await nodeCallback((cb) => user.refreshSession(session.getRefreshToken(), cb));
    assert.ok(refreshed.isValid());
    assert.equal(refreshed.getAccessToken().decodePayload().username, username);
    await callbacks((cb) => user.globalSignOut(cb));
    await rejects(nodeCallback((cb) => user.refreshSession(session.getRefreshToken(), cb)), 'NotAuthorizedException');
  },

  // CognitoUserPool.signUp (API_SignUp) answers userConfirmed false and
  // the user's sub; the unconfirmed user cannot sign in:
  // UserNotConfirmedException (API_InitiateAuth, Errors).
  async sign_up_unconfirmed() {
    const username = unique('sue');
    const result = await nodeCallback((cb) => userPool().signUp(username, PASSWORD,
      [new CognitoUserAttribute({ Name: 'email', Value: `${username}@example.com` })], [], cb));
    assert.equal(result.userConfirmed, false);
    assert.ok(result.userSub);
    const user = new CognitoUser({ Username: username, Pool: userPool() });
    await rejects(signIn(user, PASSWORD, 'USER_PASSWORD_AUTH'), 'UserNotConfirmedException');
  },

  async new_password_required_user_password_auth() {
    await newPasswordRequired('USER_PASSWORD_AUTH');
  },

  // The same with identity-js's default flow, SRP.
  async new_password_required() {
    await newPasswordRequired(undefined);
  },

  // The default sign-in, USER_SRP_AUTH answered with PASSWORD_VERIFIER
  // (developer guide, "Authentication flows"; API_InitiateAuth;
  // API_RespondToAuthChallenge), on a client without a secret: the right
  // password signs in; a wrong one is refused with NotAuthorizedException
  // (API_RespondToAuthChallenge, Errors) "Incorrect username or password."
  // (developer guide, "Managing user existence error responses").
  async default_srp_sign_in() {
    const username = unique('sri');
    await confirmedUser(username);
    const publicClient = await srpClient(false);
    const { session } = await signedIn(publicClient, username);
    const wrong = new CognitoUser({ Username: username, Pool: userPool(publicClient) });
    await rejects(signIn(wrong, 'Wrong-Password-1'), 'NotAuthorizedException', /Incorrect username or password/);
    return { accessToken: session.getAccessToken().getJwtToken(), clientId: publicClient, username };
  },

  // The same sign-in on a client with a secret. SECRET_HASH is "required
  // if the app client is configured with a client secret"
  // (API_InitiateAuth, AuthParameters; API_RespondToAuthChallenge,
  // ChallengeResponses). identity-js sends none, so plain identity-js is
  // refused (NotAuthorizedException, API_InitiateAuth, Errors); with the
  // app-side wrapper above (withSecretHash) both SRP requests carry it and
  // the user signs in; a hash of a wrong secret is refused with "Unable
  // to verify secret hash for client" (developer guide, "Computing secret
  // hash values").
  async default_srp_sign_in_with_secret() {
    const username = unique('srs');
    await confirmedUser(username);
    const { clientId, clientSecret } = await srpClientWithSecret(true);
    assert.ok(clientSecret, 'CreateUserPoolClient answered the secret');

    const plain = new CognitoUser({ Username: username, Pool: userPool(clientId) });
    await rejects(signIn(plain, PASSWORD), 'NotAuthorizedException');

    const wrongSecret = userPool(clientId);
    withSecretHash(wrongSecret, `${clientSecret}x`);
    await rejects(signIn(new CognitoUser({ Username: username, Pool: wrongSecret }), PASSWORD),
      'NotAuthorizedException', /Unable to verify secret hash for client/);

    const app = userPool(clientId);
    const signed = withSecretHash(app, clientSecret);
    const wrongPassword = new CognitoUser({ Username: username, Pool: app });
    await rejects(signIn(wrongPassword, 'Wrong-Password-1'), 'NotAuthorizedException', /Incorrect username or password/);
    signed.length = 0;
    const user = new CognitoUser({ Username: username, Pool: app });
    const r = await signIn(user, PASSWORD);
    assert.equal(r.kind, 'success', `sign-in ended with ${r.kind}`);
    assert.deepEqual(signed, ['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER'],
      'identity-js signed in with its default SRP flow');
    const access = r.session.getAccessToken();
    assert.equal(access.decodePayload().client_id, clientId);
    return { accessToken: access.getJwtToken(), clientId, username };
  },

  // TOTP MFA (developer guide, "TOTP software token MFA"): with software
  // token MFA enabled on the pool (API_SetUserPoolMfaConfig, OPTIONAL),
  // a signed-in user associates a token (API_AssociateSoftwareToken),
  // verifies it with a code (API_VerifySoftwareToken) and prefers it
  // (API_SetUserMFAPreference); the next sign-in answers the
  // SOFTWARE_TOKEN_MFA challenge, a wrong code is refused with
  // CodeMismatchException (API_RespondToAuthChallenge, Errors), and a fresh
  // code signs in.
  async totp_mfa() {
    await idp().send(new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.id, MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    const clientId = await srpClient();
    const username = unique('tom');
    await confirmedUser(username);
    const { user } = await signedIn(clientId, username);
    const secret = await new Promise((resolve, reject) =>
      user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
    assert.match(secret, /^[A-Z2-7]{16,}=*$/, 'the secret is base32');
    const used = [];
    await callbacks((cb) => user.verifySoftwareToken(null, 'laptop', cb)).then(
      () => assert.fail('VerifySoftwareToken accepted no code'), () => {});
    await callbacks(async (cb) => user.verifySoftwareToken(await freshCode(secret, used), 'laptop', cb));
    await nodeCallback((cb) => user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, cb));

    const again = new CognitoUser({ Username: username, Pool: userPool(clientId) });
    const challenged = await signIn(again, PASSWORD);
    assert.equal(challenged.kind, 'totp');
    assert.equal(challenged.challengeName, 'SOFTWARE_TOKEN_MFA');
    const wrong = (await freshCode(secret, [])) === '000000' ? '111111' : '000000';
    await rejects(callbacks((cb) => again.sendMFACode(wrong, cb, 'SOFTWARE_TOKEN_MFA')), 'CodeMismatchException');

    const third = new CognitoUser({ Username: username, Pool: userPool(clientId) });
    assert.equal((await signIn(third, PASSWORD)).kind, 'totp');
    const session = await callbacks(async (cb) => third.sendMFACode(await freshCode(secret, used), cb, 'SOFTWARE_TOKEN_MFA'));
    assert.ok(session.isValid());
    return { accessToken: session.getAccessToken().getJwtToken(), clientId, username };
  },

  // enableMFA and disableMFA call SetUserSettings with MFAOptions SMS to
  // phone_number, then none (API_SetUserSettings: "You can use it to
  // configure only SMS MFA"; API_MFAOptionType). In a pool with SMS MFA
  // on (API_SetUserPoolMfaConfig), the user's UserMFASettingList then
  // holds SMS_MFA, and after disableMFA nothing (API_AdminGetUser).
  async sms_mfa_settings() {
    await idp().send(new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.id, MfaConfiguration: 'OPTIONAL',
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your code is {####}' },
    }));
    const username = unique('sms');
    await confirmedUser(username, { phone_number: '+15555550100' });
    const { user } = await signedIn(pool.clientId, username, PASSWORD, 'USER_PASSWORD_AUTH');
    assert.equal(await nodeCallback((cb) => user.enableMFA(cb)), 'SUCCESS');
    const on = await idp().send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: username }));
    assert.deepEqual(on.UserMFASettingList, ['SMS_MFA']);
    assert.deepEqual(on.MFAOptions, [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }]);
    assert.equal(await nodeCallback((cb) => user.disableMFA(cb)), 'SUCCESS');
    const off = await idp().send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: username }));
    assert.equal(off.UserMFASettingList, undefined);
    assert.equal(off.MFAOptions, undefined);
  },

  // ChangePassword (API_ChangePassword) with the old password sets the new
  // one: the new one signs in and the old one no longer does. A wrong
  // previous password is refused with NotAuthorizedException (Errors).
  async change_password() {
    const username = unique('cha');
    await confirmedUser(username);
    const { user } = await signedIn(pool.clientId, username, PASSWORD, 'USER_PASSWORD_AUTH');
    await rejects(nodeCallback((cb) => user.changePassword('Wrong-Password-1', 'Changed-Pass-3', cb)),
      'NotAuthorizedException');
    assert.equal(await nodeCallback((cb) => user.changePassword(PASSWORD, 'Changed-Pass-3', cb)), 'SUCCESS');
    await signedIn(pool.clientId, username, 'Changed-Pass-3', 'USER_PASSWORD_AUTH');
    const old = new CognitoUser({ Username: username, Pool: userPool() });
    await rejects(signIn(old, PASSWORD, 'USER_PASSWORD_AUTH'), 'NotAuthorizedException');
  },

  // forgotPassword (API_ForgotPassword) sends a code to the verified email;
  // confirmPassword with it (API_ConfirmForgotPassword) sets the new
  // password, which then signs in.
  async reset_password() {
    const username = unique('rea');
    await confirmedUser(username, { email: `${username}@example.com`, email_verified: 'true' });
    const user = new CognitoUser({ Username: username, Pool: userPool() });
    const details = await new Promise((resolve, reject) => user.forgotPassword({
      onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve,
    }));
    assert.equal(details.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
    const code = await latestCode(username);
    assert.equal(await callbacks((cb) => user.confirmPassword(code, 'Reset-Pass-4', cb)), 'SUCCESS');
    await signedIn(pool.clientId, username, 'Reset-Pass-4', 'USER_PASSWORD_AUTH');
  },
  // API_AdminResetUserPassword: "If a user tries to sign in after the API
  // is called, Amazon Cognito responds with a PasswordResetRequiredException
  // error. Your app must then perform the actions that reset your user's
  // password: the forgot-password flow." identity-js's default SRP sign-in
  // surfaces the error to onFailure; the code the reset sent
  // (confirmPassword, API_ConfirmForgotPassword) sets a new password, the
  // user is CONFIRMED again (API_UserType) and SRP signs in.
  async reset_required_srp() {
    const username = unique('rrs');
    await confirmedUser(username, { email: `${username}@example.com`, email_verified: 'true' });
    await idp().send(new AdminResetUserPasswordCommand({ UserPoolId: pool.id, Username: username }));
    const clientId = await srpClient();
    const user = new CognitoUser({ Username: username, Pool: userPool(clientId) });
    await rejects(signIn(user, PASSWORD), 'PasswordResetRequiredException');
    const code = await latestCode(username);
    assert.equal(await callbacks((cb) => user.confirmPassword(code, 'Reset-Pass-5', cb)), 'SUCCESS');
    const got = await idp().send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: username }));
    assert.equal(got.UserStatus, 'CONFIRMED');
    await signedIn(clientId, username, 'Reset-Pass-5');
  },
  // Remembered devices (developer guide, "Working with user devices in
  // your user pool"), on a pool that remembers devices on the user's say
  // and lets a remembered device stand in for MFA
  // (API_DeviceConfigurationType, ChallengeRequiredOnNewDevice and
  // DeviceOnlyRememberedOnUserPrompt). The first sign-in gets
  // NewDeviceMetadata (API_NewDeviceMetadataType) and identity-js confirms
  // the device itself (API_ConfirmDevice), which answers
  // UserConfirmationNecessary. With TOTP set up, a sign-in on the
  // not-remembered device asks for the code, then identity-js proves the
  // device (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER). After
  // setDeviceStatusRemembered (API_UpdateDeviceStatus) the next sign-in
  // gets no TOTP challenge: identity-js answers DEVICE_SRP_AUTH on its own
  // and signs in. listDevices (API_ListDevices) lists the device as
  // remembered; after forgetDevice (API_ForgetDevice) the list is empty
  // and the next sign-in asks for the code again.
  async remembered_device() {
    const c = idp();
    const poolId = (await c.send(new CreateUserPoolCommand({
      PoolName: 'devices',
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    }))).UserPool.Id;
    await c.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    const clientId = (await c.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web' })))
      .UserPoolClient.ClientId;
    const username = unique('dev');
    await confirmedUser(username, {}, PASSWORD, poolId);
    const up = userPool(clientId, poolId);
    const calls = recordCalls(up);
    const authenticate = (user, cb = {}) => new Promise((resolve, reject) => user.authenticateUser(
      new AuthenticationDetails({ Username: username, Password: PASSWORD }), {
        onSuccess: (session, userConfirmationNecessary) => resolve({ kind: 'success', session, userConfirmationNecessary }),
        onFailure: reject,
        totpRequired: (challengeName) => resolve({ kind: 'totp', challengeName }),
        ...cb,
      }));

    // First sign-in: a new device, confirmed by identity-js.
    const first = new CognitoUser({ Username: username, Pool: up });
    const signedUp = await authenticate(first);
    assert.equal(signedUp.kind, 'success');
    assert.equal(signedUp.userConfirmationNecessary, true, 'DeviceOnlyRememberedOnUserPrompt: ask the user');
    assert.ok(calls.some((x) => x.operation === 'ConfirmDevice'), 'identity-js confirms the new device');
    const deviceKey = first.deviceKey;
    assert.match(deviceKey, /^[\w-]+_[0-9a-f-]+$/, 'Region_UUID');
    assert.equal(signedUp.session.getAccessToken().decodePayload().device_key, deviceKey);

    const secret = await new Promise((resolve, reject) =>
      first.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
    const used = [];
    await callbacks(async (cb) => first.verifySoftwareToken(await freshCode(secret, used), 'laptop', cb));
    await nodeCallback((cb) => first.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, cb));

    // Not remembered yet: SRP, the TOTP code, then the device's proof.
    calls.length = 0;
    const second = new CognitoUser({ Username: username, Pool: up });
    const challenged = await authenticate(second);
    assert.equal(challenged.kind, 'totp', 'a device not remembered does not skip MFA');
    const withCode = await callbacks(async (cb) => second.sendMFACode(await freshCode(secret, used), cb, 'SOFTWARE_TOKEN_MFA'));
    assert.ok(withCode.isValid());
    assert.deepEqual(calls.map((x) => x.challenge ?? x.operation),
      ['InitiateAuth', 'PASSWORD_VERIFIER', 'SOFTWARE_TOKEN_MFA', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);
    assert.ok(calls.slice(1).every((x) => x.device === deviceKey), 'every answer carries DEVICE_KEY');

    // The user says yes: remembered.
    await callbacks((cb) => second.setDeviceStatusRemembered(cb));

    // Remembered: no TOTP challenge, identity-js proves the device itself.
    calls.length = 0;
    const third = new CognitoUser({ Username: username, Pool: up });
    const remembered = await authenticate(third);
    assert.equal(remembered.kind, 'success', 'a remembered device skips the TOTP code');
    assert.deepEqual(calls.map((x) => x.challenge ?? x.operation),
      ['InitiateAuth', 'PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER']);
    assert.equal(remembered.session.getAccessToken().decodePayload().device_key, deviceKey);

    const listed = await callbacks((cb) => third.listDevices(10, null, cb));
    assert.equal(listed.Devices.length, 1);
    assert.equal(listed.Devices[0].DeviceKey, deviceKey);
    const attrs = Object.fromEntries(listed.Devices[0].DeviceAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs['dev:device_remembered_status'], 'remembered');
    const token = remembered.session.getAccessToken().getJwtToken();

    await callbacks((cb) => third.forgetDevice(cb));
    assert.equal(third.deviceKey, null, 'identity-js drops the forgotten device');
    assert.equal((await callbacks((cb) => third.listDevices(10, null, cb))).Devices.length, 0);
    const fourth = new CognitoUser({ Username: username, Pool: up });
    assert.equal((await authenticate(fourth)).kind, 'totp', 'without the device the code is asked again');
    return { accessToken: token, clientId, username, poolId };
  },

  // custom_auth: developer guide, "Custom authentication challenge Lambda
  // triggers" and "Define auth challenge Lambda trigger": with
  // authenticationFlowType CUSTOM_AUTH, authenticateUser starts with
  // CHALLENGE_NAME SRP_A, the define trigger asks for PASSWORD_VERIFIER,
  // then for a CUSTOM_CHALLENGE whose publicChallengeParameters reach
  // the customChallenge callback; sendCustomChallengeAnswer answers it
  // (ANSWER), a wrong answer is asked again and the right one signs in.
  // initiateAuth starts the custom flow without the password. The
  // triggers are the Go test's function (quizFunction), which the pool's
  // LambdaConfig names by its ARN.
  async custom_auth() {
    const c = idp();
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:quiz';
    const created = await c.send(new CreateUserPoolCommand({
      PoolName: unique('custom'),
      LambdaConfig: { DefineAuthChallenge: arn, CreateAuthChallenge: arn, VerifyAuthChallengeResponse: arn },
    }));
    const poolId = created.UserPool.Id;
    const client = await c.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId, ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
    const clientId = client.UserPoolClient.ClientId;
    const username = unique('cy');
    await confirmedUser(username, {}, PASSWORD, poolId);
    const up = userPool(clientId, poolId);
    const calls = recordCalls(up);
    const custom = (resolve, reject) => ({
      onSuccess: (session) => resolve({ kind: 'success', session }),
      onFailure: reject,
      customChallenge: (params) => resolve({ kind: 'custom', params }),
    });

    const user = new CognitoUser({ Username: username, Pool: up });
    user.setAuthenticationFlowType('CUSTOM_AUTH');
    const asked = await new Promise((resolve, reject) =>
      user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), custom(resolve, reject)));
    assert.equal(asked.kind, 'custom');
    assert.equal(asked.params.question, 'What colour is the sky?');
    assert.equal(asked.params.answer, undefined, 'the private parameters stay in the pool');
    const again = await new Promise((resolve, reject) => user.sendCustomChallengeAnswer('green', custom(resolve, reject)));
    assert.equal(again.kind, 'custom', 'a wrong answer is asked again');
    const done = await new Promise((resolve, reject) => user.sendCustomChallengeAnswer('blue', custom(resolve, reject)));
    assert.equal(done.kind, 'success');
    assert.ok(done.session.isValid());
    assert.deepEqual(calls.map((x) => x.challenge ?? x.operation),
      ['InitiateAuth', 'PASSWORD_VERIFIER', 'CUSTOM_CHALLENGE', 'CUSTOM_CHALLENGE']);

    const wrong = new CognitoUser({ Username: username, Pool: up });
    wrong.setAuthenticationFlowType('CUSTOM_AUTH');
    await rejects(new Promise((resolve, reject) =>
      wrong.authenticateUser(new AuthenticationDetails({ Username: username, Password: 'Wrong-Horse-9' }), custom(resolve, reject))),
    'NotAuthorizedException', /Incorrect username or password/);

    const passwordless = new CognitoUser({ Username: username, Pool: up });
    passwordless.setAuthenticationFlowType('CUSTOM_AUTH');
    const plain = await new Promise((resolve, reject) =>
      passwordless.initiateAuth(new AuthenticationDetails({ Username: username }), custom(resolve, reject)));
    assert.equal(plain.kind, 'custom');
    const plainDone = await new Promise((resolve, reject) => passwordless.sendCustomChallengeAnswer('blue', custom(resolve, reject)));
    assert.equal(plainDone.kind, 'success');
    return { accessToken: done.session.getAccessToken().getJwtToken(), clientId, username, poolId };
  },
});
