// Cases driven by Amplify JS v6 (aws-amplify), run in Node, pointed at the
// local pool with Auth.Cognito.userPoolEndpoint. Amplify signs in with SRP
// by default. API reference pages are cited as API_<Operation>, for
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html;
// developer-guide pages by title, under
// https://docs.aws.amazon.com/cognito/latest/developerguide/.
import assert from 'node:assert/strict';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import { CreateUserPoolClientCommand, SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import { PASSWORD, confirmedUser, idp, latestCode, pool, run, unique } from './common.mjs';
import { freshCode } from './totp.mjs';

function configure(clientId) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: pool.id, userPoolClientId: clientId, userPoolEndpoint: pool.endpoint } },
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

  // An app's first steps, with MFA required (API_SetUserPoolMfaConfig, ON,
  // software token): signUp (API_SignUp) leaves the user to confirm with
  // the code sent to their email (CodeDeliveryDetails); confirmSignUp with
  // it (API_ConfirmSignUp) confirms; the first signIn, SRP by default
  // (developer guide, "Authentication flows"), answers MFA_SETUP since the
  // user has no MFA factor yet (developer guide, "Adding MFA to a user
  // pool"; API_InitiateAuth, ChallengeName), so Amplify asks for TOTP set-up
  // (AssociateSoftwareToken); confirmSignIn with a code of the secret
  // (VerifySoftwareToken, then RespondToAuthChallenge MFA_SETUP) ends signed
  // in. After signOut, the next signIn answers SOFTWARE_TOKEN_MFA and
  // confirmSignIn with a fresh code ends signed in (developer guide, "TOTP
  // software token MFA"); fetchAuthSession returns the tokens.
  async sign_up_confirm_srp_totp() {
    const c = idp();
    await c.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.id, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    const client = await c.send(new CreateUserPoolClientCommand({ UserPoolId: pool.id, ClientName: 'amplify' }));
    const clientId = client.UserPoolClient.ClientId;
    configure(clientId);

    const username = unique('amp');
    const email = `${username}@example.com`;
    const up = await signUp({ username, password: PASSWORD, options: { userAttributes: { email } } });
    assert.equal(up.isSignUpComplete, false);
    assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    assert.equal(up.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
    const confirmed = await confirmSignUp({ username, confirmationCode: await latestCode(username) });
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
    return { accessToken: token, clientId, username };
  },
});
