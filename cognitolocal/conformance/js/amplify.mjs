// Cases driven by Amplify JS v6 (aws-amplify), run in Node, pointed at the
// local pool with Auth.Cognito.userPoolEndpoint. Amplify signs in with SRP
// by default. API reference pages are cited as API_<Operation>, for
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html;
// developer-guide pages by title, under
// https://docs.aws.amazon.com/cognito/latest/developerguide/.
import assert from 'node:assert/strict';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  deleteUser,
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  fetchUserAttributes,
  rememberDevice,
  resetPassword,
  signIn,
  setUpTOTP,
  signOut,
  signUp,
  updateMFAPreference,
  updatePassword,
  updateUserAttributes,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PASSWORD, confirmedUser, idp, latestCode, outbox, pool, run, unique } from './common.mjs';
import { freshCode } from './totp.mjs';

function configure(clientId, userPoolId = pool.id) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId, userPoolClientId: clientId, userPoolEndpoint: pool.endpoint } },
  });
}

// accessToken reads the session's access token as fetchAuthSession hands
// it to an app.
async function accessToken() {
  const session = await fetchAuthSession();
  assert.ok(session.tokens?.accessToken, 'fetchAuthSession has no access token');
  assert.ok(session.tokens?.idToken, 'fetchAuthSession has no ID token');
  return session.tokens.accessToken.toString();
}

await run({
  // signIn with authFlowType USER_PASSWORD_AUTH (API_InitiateAuth) ends
  // signed in; fetchAuthSession returns the tokens, whose access token the
  // Go side verifies.
  async user_password_auth() {
    const username = unique('amy');
    await confirmedUser(username);
    configure(pool.clientId);
    const out = await signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    assert.equal(out.isSignedIn, true);
    assert.equal(out.nextStep.signInStep, 'DONE');
    const token = await accessToken();
    await signOut();
    return { accessToken: token, clientId: pool.clientId, username };
  },

  // signIn's default flow is SRP, USER_SRP_AUTH answered with
  // PASSWORD_VERIFIER (developer guide, "Authentication flows";
  // API_InitiateAuth; API_RespondToAuthChallenge); a client created through
  // the API without ExplicitAuthFlows allows it (API_CreateUserPoolClient).
  // A wrong password is refused with NotAuthorizedException
  // (API_RespondToAuthChallenge, Errors). Choice-based sign-in, USER_AUTH
  // with the preferred challenge PASSWORD_SRP, signs in on a client that
  // allows ALLOW_USER_AUTH (API_InitiateAuth, AuthParameters
  // PREFERRED_CHALLENGE).
  async srp_and_user_auth_sign_in() {
    const c = idp();
    const srpClient = (await c.send(new CreateUserPoolClientCommand({ UserPoolId: pool.id, ClientName: 'spa' })))
      .UserPoolClient.ClientId;
    const username = unique('sam');
    await confirmedUser(username);
    configure(srpClient);
    let refused;
    try {
      await signIn({ username, password: 'Wrong-Password-1' });
    } catch (e) {
      refused = e;
    }
    assert.equal(refused?.name, 'NotAuthorizedException', `wrong password: ${refused}`);
    const out = await signIn({ username, password: PASSWORD });
    assert.equal(out.nextStep.signInStep, 'DONE');
    await signOut();

    const choiceClient = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'choices', ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient.ClientId;
    configure(choiceClient);
    const choice = await signIn({
      username, password: PASSWORD, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' },
    });
    assert.equal(choice.nextStep.signInStep, 'DONE');
    const token = await accessToken();
    return { accessToken: token, clientId: choiceClient, username };
  },

  // An app's first steps, on a pool that verifies email
  // (API_CreateUserPool, AutoVerifiedAttributes) and requires MFA
  // (API_SetUserPoolMfaConfig, ON, software token): signUp (API_SignUp)
  // leaves the user to confirm with the code sent to their email
  // (CodeDeliveryDetails); confirmSignUp with it (API_ConfirmSignUp)
  // confirms; the first signIn, SRP by default (developer guide,
  // "Authentication flows"), answers MFA_SETUP since the user has no MFA
  // factor yet (developer guide, "Adding MFA to a user pool";
  // API_InitiateAuth, ChallengeName), so Amplify sets up TOTP
  // (AssociateSoftwareToken); confirmSignIn with a code of the secret
  // (VerifySoftwareToken, then RespondToAuthChallenge MFA_SETUP) ends signed
  // in. After signOut, the next signIn answers SOFTWARE_TOKEN_MFA and
  // confirmSignIn with a fresh code ends signed in (developer guide, "TOTP
  // software token MFA"); fetchAuthSession returns the tokens.
  async sign_up_confirm_srp_totp() {
    const c = idp();
    const poolId = (await c.send(new CreateUserPoolCommand({
      PoolName: 'amplify-app', AutoVerifiedAttributes: ['email'],
    }))).UserPool.Id;
    await c.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    const client = await c.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'amplify' }));
    const clientId = client.UserPoolClient.ClientId;
    configure(clientId, poolId);

    const username = unique('amp');
    const email = `${username}@example.com`;
    const up = await signUp({ username, password: PASSWORD, options: { userAttributes: { email } } });
    assert.equal(up.isSignUpComplete, false);
    assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    assert.equal(up.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
    const confirmed = await confirmSignUp({ username, confirmationCode: await latestCode(username, undefined, poolId) });
    assert.equal(confirmed.isSignUpComplete, true);

    const first = await signIn({ username, password: PASSWORD });
    assert.equal(first.isSignedIn, false);
    assert.equal(first.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    const secret = first.nextStep.totpSetupDetails.sharedSecret;
    assert.match(secret, /^[A-Z2-7]{16,}=*$/, 'the secret is base32');
    const used = [];
    const setUp = await confirmSignIn({ challengeResponse: await freshCode(secret, used) });
    assert.equal(setUp.isSignedIn, true);
    assert.equal(setUp.nextStep.signInStep, 'DONE');
    await signOut();

    const second = await signIn({ username, password: PASSWORD });
    assert.equal(second.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    const done = await confirmSignIn({ challengeResponse: await freshCode(secret, used) });
    assert.equal(done.isSignedIn, true);
    const token = await accessToken();
    return { accessToken: token, clientId, username, poolId };
  },

  // MFA set-up by email, on a pool that requires MFA with TOTP and email
  // (API_SetUserPoolMfaConfig, ON, SoftwareTokenMfaConfiguration and
  // EmailMfaConfiguration): a user without an email address has no factor,
  // so sign-in answers MFA_SETUP listing both (API_RespondToAuthChallenge,
  // ChallengeName: "The MFA types activated for the user pool will be
  // listed in the challenge parameters MFAS_CAN_SETUP"), which Amplify
  // turns into CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION. The user chooses
  // EMAIL (CONTINUE_SIGN_IN_WITH_EMAIL_SETUP) and gives an address, which
  // Amplify sends as MFA_SETUP's EMAIL; the pool emails a code there and
  // answers EMAIL_OTP (CONFIRM_SIGN_IN_WITH_EMAIL_CODE), and the code from
  // the outbox ends signed in. The address is then the user's, verified
  // (developer guide, "SMS and email message MFA": "When a user completes
  // their first MFA, Amazon Cognito marks their email address or phone
  // number as verified"), and the next sign-in asks for an emailed code.
  async mfa_setup_email_selection() {
    const c = idp();
    const poolId = (await c.send(new CreateUserPoolCommand({ PoolName: 'amplify-email-mfa' }))).UserPool.Id;
    await c.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Sign-in code' },
    }));
    const clientId = (await c.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'amplify' })))
      .UserPoolClient.ClientId;
    configure(clientId, poolId);
    const username = unique('ems');
    const email = `${username}@example.com`;
    await confirmedUser(username, {}, PASSWORD, poolId);

    const first = await signIn({ username, password: PASSWORD });
    assert.equal(first.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION');
    assert.deepEqual([...first.nextStep.allowedMFATypes].sort(), ['EMAIL', 'TOTP']);
    const chosen = await confirmSignIn({ challengeResponse: 'EMAIL' });
    assert.equal(chosen.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP');
    const sent = await confirmSignIn({ challengeResponse: email });
    assert.equal(sent.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    assert.equal(sent.nextStep.codeDeliveryDetails?.deliveryMedium, 'EMAIL');
    const messages = (await outbox(username, poolId)).filter((m) => m.kind === 'Authentication');
    assert.equal(messages.length, 1);
    assert.equal(messages[0].destination, email, 'the code went to the address given');
    assert.match(messages[0].message, /^Your code is \d{6}$/, "the pool's email MFA message");
    const done = await confirmSignIn({ challengeResponse: messages[0].code });
    assert.equal(done.isSignedIn, true);
    assert.equal(done.nextStep.signInStep, 'DONE');
    const attrs = await fetchUserAttributes();
    assert.equal(attrs.email, email);
    assert.equal(attrs.email_verified, 'true');
    await signOut();

    const second = await signIn({ username, password: PASSWORD });
    assert.equal(second.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const again = await confirmSignIn({ challengeResponse: await latestCode(username, 'Authentication', poolId) });
    assert.equal(again.isSignedIn, true);
    const token = await accessToken();
    return { accessToken: token, clientId, username, poolId };
  },

  // An account page's operations: resetPassword sends a code to the
  // verified email (API_ForgotPassword, CodeDeliveryDetails) and
  // confirmResetPassword sets the new password with it
  // (API_ConfirmForgotPassword); the user signs in with SRP;
  // fetchUserAttributes reads the attributes (API_GetUser) and
  // updateUserAttributes changes one (API_UpdateUserAttributes);
  // updatePassword changes the password with the old one
  // (API_ChangePassword), after which only the new one signs in; deleteUser
  // deletes the account (API_DeleteUser: "A deleted user profile can no
  // longer be used to sign in").
  async account_page() {
    const c = idp();
    const clientId = (await c.send(new CreateUserPoolClientCommand({ UserPoolId: pool.id, ClientName: 'account' })))
      .UserPoolClient.ClientId;
    configure(clientId);
    const username = unique('acc');
    const email = `${username}@example.com`;
    await confirmedUser(username, { email, email_verified: 'true' });

    const reset = await resetPassword({ username });
    assert.equal(reset.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
    assert.equal(reset.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
    await confirmResetPassword({ username, confirmationCode: await latestCode(username), newPassword: 'Reset-Pass-4x' });
    assert.equal((await signIn({ username, password: 'Reset-Pass-4x' })).nextStep.signInStep, 'DONE');

    const attrs = await fetchUserAttributes();
    assert.equal(attrs.email, email);
    await updateUserAttributes({ userAttributes: { given_name: 'Acc' } });
    assert.equal((await fetchUserAttributes()).given_name, 'Acc');

    await updatePassword({ oldPassword: 'Reset-Pass-4x', newPassword: 'Updated-Pass-5y' });
    await signOut();
    await assert.rejects(signIn({ username, password: 'Reset-Pass-4x' }), 'the old password still signs in');
    assert.equal((await signIn({ username, password: 'Updated-Pass-5y' })).nextStep.signInStep, 'DONE');
    const token = await accessToken();
    await deleteUser();
    await assert.rejects(signIn({ username, password: 'Updated-Pass-5y' }), 'a deleted user signed in');
    return { accessToken: token, clientId, username };
  },
  // Remembered devices (developer guide, "Working with user devices in
  // your user pool") as Amplify's docs ("Remember a device") use them, on
  // a pool that remembers devices on the user's say and lets a remembered
  // device stand in for MFA (API_DeviceConfigurationType): the first
  // signIn gets NewDeviceMetadata and Amplify confirms the device
  // (API_ConfirmDevice). With TOTP on, the next signIn asks for the code
  // and Amplify then proves the device (DEVICE_SRP_AUTH). rememberDevice
  // (API_UpdateDeviceStatus) remembers it: fetchDevices (API_ListDevices)
  // lists it as remembered, and the next signIn ends without a code.
  // forgetDevice (API_ForgetDevice) empties the list, and the code is
  // asked again.
  async remember_device() {
    // Amplify names a new device from navigator.userAgent(Data) and, when
    // that throws, silently confirms no device at all; Node has navigator
    // from version 21 only, so on Node 20 the case gives it a user agent,
    // as a browser would.
    globalThis.navigator ??= { userAgent: 'conformance (Node.js)' };
    const c = idp();
    const poolId = (await c.send(new CreateUserPoolCommand({
      PoolName: 'amplify-devices',
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    }))).UserPool.Id;
    await c.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    const clientId = (await c.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'amplify' })))
      .UserPoolClient.ClientId;
    configure(clientId, poolId);
    const username = unique('amd');
    await confirmedUser(username, {}, PASSWORD, poolId);

    assert.equal((await signIn({ username, password: PASSWORD })).nextStep.signInStep, 'DONE');
    const details = await setUpTOTP();
    const used = [];
    await verifyTOTPSetup({ code: await freshCode(details.sharedSecret, used) });
    await updateMFAPreference({ totp: 'PREFERRED' });
    const [device] = await fetchDevices();
    assert.equal(device.attributes['dev:device_remembered_status'], 'not_remembered', 'remembered on the user\'s say only');
    await signOut();

    const second = await signIn({ username, password: PASSWORD });
    assert.equal(second.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'not remembered: the code is asked');
    assert.equal((await confirmSignIn({ challengeResponse: await freshCode(details.sharedSecret, used) })).isSignedIn, true);
    await rememberDevice();
    const devices = await fetchDevices();
    assert.equal(devices.length, 1);
    assert.equal(devices[0].id, device.id, 'the same device signed in');
    assert.equal(devices[0].attributes['dev:device_remembered_status'], 'remembered');
    await signOut();

    const third = await signIn({ username, password: PASSWORD });
    assert.equal(third.nextStep.signInStep, 'DONE', 'a remembered device skips the TOTP code');
    const token = await accessToken();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    assert.equal(claims.device_key, device.id);

    await forgetDevice();
    assert.deepEqual(await fetchDevices(), []);
    await signOut();
    const fourth = await signIn({ username, password: PASSWORD });
    assert.equal(fourth.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'a forgotten device asks for the code');
    return { accessToken: token, clientId, username, poolId };
  },

  // custom_auth: developer guide, "Custom authentication challenge Lambda
  // triggers" and "Define auth challenge Lambda trigger". signIn with
  // authFlowType CUSTOM_WITHOUT_SRP starts CUSTOM_AUTH with the username
  // alone; the create trigger's publicChallengeParameters come back as
  // nextStep.additionalInfo of CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE;
  // confirmSignIn sends the ANSWER, a wrong one is asked again, the right
  // one signs in. CUSTOM_WITH_SRP checks the password with SRP first
  // (CHALLENGE_NAME SRP_A, then PASSWORD_VERIFIER), then the same
  // challenge. The triggers are the Go test's function (quizFunction).
  async custom_auth() {
    const c = idp();
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:quiz';
    const created = await c.send(new CreateUserPoolCommand({
      PoolName: unique('custom'),
      LambdaConfig: { DefineAuthChallenge: arn, CreateAuthChallenge: arn, VerifyAuthChallengeResponse: arn },
    }));
    const poolId = created.UserPool.Id;
    const clientId = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId, ClientName: 'spa',
      ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient.ClientId;
    const username = unique('cyd');
    await confirmedUser(username, {}, PASSWORD, poolId);
    configure(clientId, poolId);

    const asked = await signIn({ username, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
    assert.equal(asked.isSignedIn, false);
    assert.equal(asked.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    assert.equal(asked.nextStep.additionalInfo.question, 'What colour is the sky?');
    assert.equal(asked.nextStep.additionalInfo.answer, undefined, 'the private parameters stay in the pool');
    const again = await confirmSignIn({ challengeResponse: 'green' });
    assert.equal(again.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', 'a wrong answer is asked again');
    const done = await confirmSignIn({ challengeResponse: 'blue' });
    assert.equal(done.isSignedIn, true);
    assert.equal(done.nextStep.signInStep, 'DONE');
    await signOut();

    const withSRP = await signIn({ username, password: PASSWORD, options: { authFlowType: 'CUSTOM_WITH_SRP' } });
    assert.equal(withSRP.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    assert.equal((await confirmSignIn({ challengeResponse: 'blue' })).isSignedIn, true);
    const token = await accessToken();
    await signOut();
    return { accessToken: token, clientId, username, poolId };
  },
});
