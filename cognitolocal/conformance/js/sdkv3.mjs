// Cases driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-cognito-identity-provider), as a Node back end or app
// uses it. API reference pages are cited as
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html
// and developer-guide pages under https://docs.aws.amazon.com/cognito/latest/developerguide/.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminDeleteUserCommand,
  ChangePasswordCommand,
  CreateResourceServerCommand,
  GetUserAttributeVerificationCodeCommand,
  VerifyUserAttributeCommand,
  ConfirmSignUpCommand,
  CreateUserPoolCommand,
  DeleteUserCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  AdminGetUserCommand,
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  GetUserCommand,
  GetSigningCertificateCommand,
  GetUserAuthFactorsCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PASSWORD, confirmedUser, idp, jwtPayload, latestCode, outbox, pool, rejects, run, unique } from './common.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function passwordAuth(clientId, username, password = PASSWORD) {
  return new InitiateAuthCommand({
    AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
}

await run({
  // SignUp creates an unconfirmed user and answers UserConfirmed false and
  // the user's sub (API_SignUp: "UserConfirmed", "UserSub"); an unconfirmed
  // user cannot sign in: InitiateAuth lists UserNotConfirmedException
  // (API_InitiateAuth, Errors). AdminConfirmSignUp confirms the user
  // (API_AdminConfirmSignUp), who then signs in; GetUser returns the
  // attributes given at sign-up (API_GetUser).
  async sign_up_admin_confirm_sign_in() {
    const c = idp();
    const username = unique('ada');
    const email = `${username}@example.com`;
    const up = await c.send(new SignUpCommand({
      ClientId: pool.clientId, Username: username, Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }],
    }));
    assert.equal(up.UserConfirmed, false);
    assert.match(up.UserSub, UUID);
    const unconfirmed = await c.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: username }));
    assert.equal(unconfirmed.UserStatus, 'UNCONFIRMED');
    await rejects(c.send(passwordAuth(pool.clientId, username)), 'UserNotConfirmedException');

    await c.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.id, Username: username }));
    const auth = await c.send(passwordAuth(pool.clientId, username));
    const r = auth.AuthenticationResult;
    assert.ok(r.AccessToken && r.IdToken && r.RefreshToken);
    // API_AuthenticationResultType: TokenType "Bearer"; ExpiresIn is the
    // access token's lifetime in seconds.
    assert.equal(r.TokenType, 'Bearer');
    assert.ok(r.ExpiresIn > 0);
    const me = await c.send(new GetUserCommand({ AccessToken: r.AccessToken }));
    assert.equal(me.Username, username);
    const attrs = Object.fromEntries(me.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs.email, email);
    assert.equal(attrs.sub, up.UserSub);
    // Developer guide, "Understanding the access token": sub and username.
    const claims = jwtPayload(r.AccessToken);
    assert.equal(claims.sub, up.UserSub);
    assert.equal(claims.token_use, 'access');
    assert.equal(claims.client_id, pool.clientId);
  },

  // SignUp of a taken username answers UsernameExistsException; a password
  // the policy refuses answers InvalidPasswordException (API_SignUp,
  // Errors). No policy allows a 3-character password: MinimumLength is at
  // least 6 (API_PasswordPolicyType).
  async sign_up_refusals() {
    const c = idp();
    const username = unique('bob');
    await c.send(new SignUpCommand({ ClientId: pool.clientId, Username: username, Password: PASSWORD }));
    await rejects(c.send(new SignUpCommand({ ClientId: pool.clientId, Username: username, Password: PASSWORD })),
      'UsernameExistsException');
    await rejects(c.send(new SignUpCommand({ ClientId: pool.clientId, Username: unique('carol'), Password: 'aB1' })),
      'InvalidPasswordException');
  },

  // A client created through the API without ExplicitAuthFlows supports
  // ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH only
  // (API_CreateUserPoolClient, ExplicitAuthFlows), so USER_PASSWORD_AUTH is
  // refused; the documentation does not name the exception, so any
  // refusal passes. Such a client has no secret unless GenerateSecret
  // (API_CreateUserPoolClient, GenerateSecret), and token revocation on
  // (API_CreateUserPoolClient, EnableTokenRevocation: "If you don't include
  // this parameter, token revocation is automatically activated").
  async client_defaults() {
    const c = idp();
    const created = await c.send(new CreateUserPoolClientCommand({ UserPoolId: pool.id, ClientName: 'defaults' }));
    const id = created.UserPoolClient.ClientId;
    assert.ok(id);
    assert.equal(created.UserPoolClient.ClientSecret, undefined);
    const described = await c.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.id, ClientId: id }));
    assert.equal(described.UserPoolClient.ClientId, id);
    assert.equal(described.UserPoolClient.ClientName, 'defaults');
    assert.equal(described.UserPoolClient.EnableTokenRevocation, true);
    const username = unique('dan');
    await confirmedUser(username);
    let refused = false;
    try {
      await c.send(passwordAuth(id, username));
    } catch (e) {
      refused = true;
      assert.notEqual(e.name, 'NotAuthorizedException', 'the password is right; the flow is what is not allowed');
    }
    assert.ok(refused, 'USER_PASSWORD_AUTH succeeded on a client that does not allow it');
  },

  // REFRESH_TOKEN_AUTH answers new ID and access tokens for the same user
  // (API_InitiateAuth, AuthFlow REFRESH_TOKEN_AUTH). RevokeToken revokes
  // the refresh token and the access tokens issued from it: the refresh
  // token no longer refreshes and the access token no longer authorizes
  // GetUser (API_RevokeToken; developer guide, "Revoking tokens").
  async refresh_then_revoke() {
    const c = idp();
    const username = unique('eve');
    await confirmedUser(username);
    const first = (await c.send(passwordAuth(pool.clientId, username))).AuthenticationResult;
    const refreshed = (await c.send(new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: pool.clientId,
      AuthParameters: { REFRESH_TOKEN: first.RefreshToken },
    }))).AuthenticationResult;
    assert.ok(refreshed.AccessToken && refreshed.IdToken);
    assert.equal(jwtPayload(refreshed.AccessToken).sub, jwtPayload(first.AccessToken).sub);
    assert.equal((await c.send(new GetUserCommand({ AccessToken: refreshed.AccessToken }))).Username, username);

    await c.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: first.RefreshToken }));
    await rejects(c.send(new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: pool.clientId,
      AuthParameters: { REFRESH_TOKEN: first.RefreshToken },
    })), 'NotAuthorizedException');
    await rejects(c.send(new GetUserCommand({ AccessToken: first.AccessToken })), 'NotAuthorizedException');
    await rejects(c.send(new GetUserCommand({ AccessToken: refreshed.AccessToken })), 'NotAuthorizedException');
  },

  // UpdateUserAttributes changes the signed-in user's attributes
  // (API_UpdateUserAttributes); GetUser then returns them (API_GetUser). An
  // attribute the pool does not have is refused with
  // InvalidParameterException (API_UpdateUserAttributes, Errors; developer
  // guide, "Working with user attributes": custom attributes carry the
  // custom: prefix and must be declared).
  async update_user_attributes() {
    const c = idp();
    const username = unique('fay');
    await confirmedUser(username, { email: `${username}@example.com` });
    const token = (await c.send(passwordAuth(pool.clientId, username))).AuthenticationResult.AccessToken;
    await c.send(new UpdateUserAttributesCommand({
      AccessToken: token, UserAttributes: [{ Name: 'given_name', Value: 'Fay' }],
    }));
    const me = await c.send(new GetUserCommand({ AccessToken: token }));
    const attrs = Object.fromEntries(me.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs.given_name, 'Fay');
    await rejects(c.send(new UpdateUserAttributesCommand({
      AccessToken: token, UserAttributes: [{ Name: 'custom:undeclared', Value: 'x' }],
    })), 'InvalidParameterException');
  },

  // Developer guide, "Managing user existence error responses": a client
  // created with the API has PreventUserExistenceErrors LEGACY by default,
  // and then a sign-in with a username the pool lacks answers
  // UserNotFoundException; with ENABLED it answers NotAuthorizedException,
  // as a wrong password does; ForgotPassword answers UserNotFoundException
  // with LEGACY and, with ENABLED, CodeDeliveryDetails as for a real user
  // (the same page, password recovery). DescribeUserPoolClient reports the setting
  // (API_UserPoolClientType, PreventUserExistenceErrors).
  async user_existence_errors() {
    const c = idp();
    const flows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
    const legacy = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'legacy', ExplicitAuthFlows: flows,
    }))).UserPoolClient;
    const enabled = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'enabled', ExplicitAuthFlows: flows, PreventUserExistenceErrors: 'ENABLED',
    }))).UserPoolClient;
    const described = await c.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.id, ClientId: legacy.ClientId }));
    assert.equal(described.UserPoolClient.PreventUserExistenceErrors, 'LEGACY');
    const nobody = unique('nobody');
    await rejects(c.send(passwordAuth(legacy.ClientId, nobody)), 'UserNotFoundException');
    await rejects(c.send(passwordAuth(enabled.ClientId, nobody)), 'NotAuthorizedException');
    const username = unique('kim');
    await confirmedUser(username);
    await rejects(c.send(passwordAuth(enabled.ClientId, username, 'Wrong-Password-1')), 'NotAuthorizedException');
    await rejects(c.send(new ForgotPasswordCommand({ ClientId: legacy.ClientId, Username: nobody })), 'UserNotFoundException');
    const simulated = await c.send(new ForgotPasswordCommand({ ClientId: enabled.ClientId, Username: nobody }));
    assert.ok(simulated.CodeDeliveryDetails, 'no CodeDeliveryDetails for an unknown user with ENABLED');
  },

  // API_CreateUserPoolClient, EnableTokenRevocation false: RevokeToken on
  // that client's refresh token answers UnsupportedOperationException
  // (API_RevokeToken, Errors: "the operation isn't enabled for the user
  // pool client"); the refresh token keeps working.
  async token_revocation_disabled() {
    const c = idp();
    const client = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'no-revocation', EnableTokenRevocation: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient;
    assert.equal(client.EnableTokenRevocation, false);
    const username = unique('rex');
    await confirmedUser(username);
    const tokens = (await c.send(passwordAuth(client.ClientId, username))).AuthenticationResult;
    await rejects(c.send(new RevokeTokenCommand({ ClientId: client.ClientId, Token: tokens.RefreshToken })),
      'UnsupportedOperationException');
    const refreshed = await c.send(new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: client.ClientId,
      AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
    }));
    assert.ok(refreshed.AuthenticationResult.AccessToken);
  },

  // The sign-up an app's first screen runs, on a pool that verifies email
  // (API_CreateUserPool, AutoVerifiedAttributes; the ID has the form of
  // UserPoolId's pattern [\w-]+_[0-9a-zA-Z]+): SignUp answers
  // CodeDeliveryDetails for the email, with the address masked
  // (API_SignUp; API_CodeDeliveryDetailsType); ConfirmSignUp with a wrong
  // code answers CodeMismatchException (API_ConfirmSignUp, Errors);
  // ResendConfirmationCode sends another (API_ResendConfirmationCode);
  // ConfirmSignUp with it confirms the user and verifies the email
  // (developer guide, "Signing up and confirming user accounts"). The
  // user signs in, and ChangePassword (API_ChangePassword) refuses a
  // wrong previous password with NotAuthorizedException and then sets the
  // new one: the old password no longer signs in, the new one does.
  async sign_up_confirm_change_password() {
    const c = idp();
    const created = await c.send(new CreateUserPoolCommand({ PoolName: 'app', AutoVerifiedAttributes: ['email'] }));
    const poolId = created.UserPool.Id;
    assert.match(poolId, /^[\w-]+_[0-9a-zA-Z]+$/);
    const client = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient.ClientId;
    const username = unique('sia');
    const email = `${username}@example.com`;
    const up = await c.send(new SignUpCommand({
      ClientId: client, Username: username, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }],
    }));
    assert.equal(up.UserConfirmed, false);
    assert.equal(up.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
    assert.equal(up.CodeDeliveryDetails.AttributeName, 'email');
    assert.notEqual(up.CodeDeliveryDetails.Destination, email, 'the destination is masked');
    const first = await latestCode(username, undefined, poolId);
    await rejects(c.send(new ConfirmSignUpCommand({
      ClientId: client, Username: username, ConfirmationCode: first === '000000' ? '111111' : '000000',
    })), 'CodeMismatchException');
    const resent = await c.send(new ResendConfirmationCodeCommand({ ClientId: client, Username: username }));
    assert.equal(resent.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
    await c.send(new ConfirmSignUpCommand({
      ClientId: client, Username: username, ConfirmationCode: await latestCode(username, undefined, poolId),
    }));
    const user = await c.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.equal(Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value])).email_verified, 'true');

    const token = (await c.send(passwordAuth(client, username))).AuthenticationResult.AccessToken;
    await rejects(c.send(new ChangePasswordCommand({
      AccessToken: token, PreviousPassword: 'Wrong-Password-1', ProposedPassword: 'Changed-Pass-3',
    })), 'NotAuthorizedException');
    await c.send(new ChangePasswordCommand({
      AccessToken: token, PreviousPassword: PASSWORD, ProposedPassword: 'Changed-Pass-3',
    }));
    await rejects(c.send(passwordAuth(client, username)), 'NotAuthorizedException');
    assert.ok((await c.send(passwordAuth(client, username, 'Changed-Pass-3'))).AuthenticationResult.AccessToken);
  },

  // DeleteUser: "A deleted user profile can no longer be used to sign in
  // and can't be restored" (API_DeleteUser); AdminDeleteUser likewise
  // (API_AdminDeleteUser). AdminGetUser then answers UserNotFoundException
  // (API_AdminGetUser, Errors).
  async delete_user() {
    const c = idp();
    const self = unique('del');
    await confirmedUser(self);
    const token = (await c.send(passwordAuth(pool.clientId, self))).AuthenticationResult.AccessToken;
    await c.send(new DeleteUserCommand({ AccessToken: token }));
    await rejects(c.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: self })), 'UserNotFoundException');
    await assert.rejects(c.send(passwordAuth(pool.clientId, self)));

    const byAdmin = unique('adm');
    await confirmedUser(byAdmin);
    await c.send(new AdminDeleteUserCommand({ UserPoolId: pool.id, Username: byAdmin }));
    await rejects(c.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: byAdmin })), 'UserNotFoundException');
    await assert.rejects(c.send(passwordAuth(pool.clientId, byAdmin)));
    await rejects(c.send(new AdminDeleteUserCommand({ UserPoolId: pool.id, Username: byAdmin })), 'UserNotFoundException');
  },

  // API_GetUserAttributeVerificationCode sends a code for the attribute
  // and answers CodeDeliveryDetails; API_VerifyUserAttribute with a wrong
  // code answers CodeMismatchException (Errors) and with the code marks the
  // attribute verified (email_verified "true", developer guide, "Working
  // with user attributes").
  async verify_email_attribute() {
    const c = idp();
    const username = unique('vea');
    await confirmedUser(username, { email: `${username}@example.com` });
    const token = (await c.send(passwordAuth(pool.clientId, username))).AuthenticationResult.AccessToken;
    const sent = await c.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
    assert.equal(sent.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
    assert.equal(sent.CodeDeliveryDetails.AttributeName, 'email');
    const code = await latestCode(username);
    await rejects(c.send(new VerifyUserAttributeCommand({
      AccessToken: token, AttributeName: 'email', Code: code === '000000' ? '111111' : '000000',
    })), 'CodeMismatchException');
    await c.send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName: 'email', Code: code }));
    const me = await c.send(new GetUserCommand({ AccessToken: token }));
    assert.equal(Object.fromEntries(me.UserAttributes.map((a) => [a.Name, a.Value])).email_verified, 'true');
  },

  // API_CreateResourceServer defines custom scopes; an app client may then
  // allow "IDENTIFIER/SCOPE" (API_CreateUserPoolClient, AllowedOAuthScopes),
  // and a scope no resource server defines is refused with
  // ScopeDoesNotExistException (API_CreateUserPoolClient, Errors).
  async resource_server_scopes() {
    const c = idp();
    await c.send(new CreateResourceServerCommand({
      UserPoolId: pool.id, Identifier: 'orders', Name: 'Orders',
      Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read orders' }],
    }));
    const base = {
      UserPoolId: pool.id, ClientName: 'm2m', GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'], AllowedOAuthFlowsUserPoolClient: true,
    };
    const ok = await c.send(new CreateUserPoolClientCommand({ ...base, AllowedOAuthScopes: ['orders/read'] }));
    assert.deepEqual(ok.UserPoolClient.AllowedOAuthScopes, ['orders/read']);
    await rejects(c.send(new CreateUserPoolClientCommand({ ...base, AllowedOAuthScopes: ['orders/write'] })),
      'ScopeDoesNotExistException');
  },

  // Choice-based sign-in, USER_AUTH (API_InitiateAuth: without
  // PREFERRED_CHALLENGE "Amazon Cognito responds with the
  // AvailableChallenges parameter"), on a client that allows only
  // ALLOW_USER_AUTH, which covers password and SRP sign-in
  // (API_CreateUserPoolClient, ExplicitAuthFlows). The pool's default first
  // factor is the password (API_SignInPolicyType,
  // AllowedFirstAuthFactors), offered as PASSWORD and PASSWORD_SRP.
  // SELECT_CHALLENGE is answered with ANSWER PASSWORD and the password
  // (API_RespondToAuthChallenge, SELECT_CHALLENGE); PREFERRED_CHALLENGE
  // PASSWORD signs in at once, and with a wrong password answers
  // NotAuthorizedException. USER_PASSWORD_AUTH is not allowed on that
  // client, so it is refused (the error is not named in the
  // documentation).
  async user_auth_select_challenge() {
    const c = idp();
    const clientId = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'choices', ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient.ClientId;
    const username = unique('cho');
    await confirmedUser(username);
    const select = await c.send(new InitiateAuthCommand({
      AuthFlow: 'USER_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username },
    }));
    assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
    assert.ok(select.Session);
    assert.ok(select.AvailableChallenges.includes('PASSWORD'), select.AvailableChallenges);
    assert.ok(select.AvailableChallenges.includes('PASSWORD_SRP'), select.AvailableChallenges);
    const chosen = await c.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'SELECT_CHALLENGE', Session: select.Session,
      ChallengeResponses: { USERNAME: username, ANSWER: 'PASSWORD', PASSWORD },
    }));
    assert.ok(chosen.AuthenticationResult.AccessToken);
    const direct = await c.send(new InitiateAuthCommand({
      AuthFlow: 'USER_AUTH', ClientId: clientId,
      AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD },
    }));
    assert.ok(direct.AuthenticationResult.AccessToken);
    await rejects(c.send(new InitiateAuthCommand({
      AuthFlow: 'USER_AUTH', ClientId: clientId,
      AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'Wrong-Password-1' },
    })), 'NotAuthorizedException');
    await assert.rejects(c.send(passwordAuth(clientId, username)), (e) => e.name !== 'UserNotFoundException');
  },

  // GetUserAuthFactors with a user's access token answers the user and
  // the factors USER_AUTH offers them (API_GetUserAuthFactors:
  // ConfiguredUserAuthFactors, "eligible ... selections for
  // PREFERRED_CHALLENGE"): PASSWORD alone in a pool whose SignInPolicy
  // allows only passwords, the default; no MFA set up, so no
  // UserMFASettingList. A token that is no token is NotAuthorizedException
  // (Errors). GetSigningCertificate answers a certificate "valid for 10
  // years from the date of issue" (API_GetSigningCertificate).
  async user_auth_factors_and_certificate() {
    const c = idp();
    const username = unique('fac');
    await confirmedUser(username);
    const signedIn = await c.send(passwordAuth(pool.clientId, username));
    const factors = await c.send(new GetUserAuthFactorsCommand({ AccessToken: signedIn.AuthenticationResult.AccessToken }));
    assert.equal(factors.Username, username);
    assert.deepEqual(factors.ConfiguredUserAuthFactors, ['PASSWORD']);
    assert.equal(factors.UserMFASettingList, undefined);
    await rejects(c.send(new GetUserAuthFactorsCommand({ AccessToken: 'not-a-token' })), 'NotAuthorizedException');
    const { Certificate } = await c.send(new GetSigningCertificateCommand({ UserPoolId: pool.id }));
    const cert = new X509Certificate(Buffer.from(Certificate, 'base64'));
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 24 * 3600 * 1000);
    assert.ok(Math.abs(years - 10) < 0.01, `valid ${years} years`);
  },

  // SMS_OTP as the first factor of USER_AUTH, in a pool of its own whose
  // SignInPolicy allows it (API_SignInPolicyType: AllowedFirstAuthFactors
  // PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN). SELECT_CHALLENGE offers it to
  // a user with a phone number and not to one without; the answer
  // {ANSWER: SMS_OTP, USERNAME} makes the pool "send a code for the user to
  // submit in the next challenge response", answered with SMS_OTP_CODE
  // (API_RespondToAuthChallenge, ChallengeResponses). The right code signs
  // in and "marks the user's unverified ... phone number attribute as
  // verified" (developer guide, "Passwordless sign-in with one-time
  // passwords", amazon-cognito-user-pools-authentication-flow-methods);
  // a wrong one is CodeMismatchException (API_RespondToAuthChallenge,
  // Errors), and its message shows neither code nor number.
  async sms_otp_first_factor() {
    const c = idp();
    const poolId = (await c.send(new CreateUserPoolCommand({
      PoolName: unique('smsotp'),
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } },
    }))).UserPool.Id;
    try {
      const described = await c.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.deepEqual(described.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors, ['PASSWORD', 'SMS_OTP']);
      const clientId = (await c.send(new CreateUserPoolClientCommand({
        UserPoolId: poolId, ClientName: 'sms', ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }))).UserPoolClient.ClientId;
      const username = unique('sms');
      const phone = '+15555550142';
      await confirmedUser(username, { phone_number: phone }, PASSWORD, poolId);
      const bare = unique('nop');
      await confirmedUser(bare, {}, PASSWORD, poolId);
      const offered = async (name) => (await c.send(new InitiateAuthCommand({
        AuthFlow: 'USER_AUTH', ClientId: clientId, AuthParameters: { USERNAME: name },
      })));
      assert.deepEqual((await offered(bare)).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      const select = await offered(username);
      assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
      const challenge = await c.send(new RespondToAuthChallengeCommand({
        ClientId: clientId, ChallengeName: 'SELECT_CHALLENGE', Session: select.Session,
        ChallengeResponses: { USERNAME: username, ANSWER: 'SMS_OTP' },
      }));
      assert.equal(challenge.ChallengeName, 'SMS_OTP');
      assert.equal(challenge.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      assert.equal(challenge.ChallengeParameters.CODE_DELIVERY_DESTINATION, '+*******0142');
      const sent = (await outbox(username, poolId)).filter((m) => m.kind === 'Authentication');
      assert.equal(sent.length, 1);
      assert.equal(sent[0].destination, phone);
      const code = sent[0].code;
      assert.match(code, /^\d{8}$/);
      const wrong = code === '00000000' ? '11111111' : '00000000';
      await assert.rejects(c.send(new RespondToAuthChallengeCommand({
        ClientId: clientId, ChallengeName: 'SMS_OTP', Session: challenge.Session,
        ChallengeResponses: { USERNAME: username, SMS_OTP_CODE: wrong },
      })), (e) => e.name === 'CodeMismatchException' && !e.message.includes(wrong) && !e.message.includes('0142'));
      const done = await c.send(new RespondToAuthChallengeCommand({
        ClientId: clientId, ChallengeName: 'SMS_OTP', Session: challenge.Session,
        ChallengeResponses: { USERNAME: username, SMS_OTP_CODE: code },
      }));
      assert.ok(done.AuthenticationResult.AccessToken);
      assert.equal(jwtPayload(done.AuthenticationResult.IdToken).phone_number_verified, true);
    } finally {
      await c.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
    }
  },

  // A password may not begin or end with whitespace: the API reference
  // gives PasswordType the pattern [\S]+ (API_SignUp, Password;
  // API_AdminSetUserPassword, Password), and the developer guide counts
  // only "non-leading, non-trailing space characters" among a password's
  // special characters ("Passwords, account recovery, and password
  // policies", managing-users-passwords). The SDK sends such a password;
  // the answer is InvalidParameterException naming the member, never the
  // password, and nothing is created or changed. A space inside is
  // accepted.
  async password_outer_whitespace() {
    const c = idp();
    const username = unique('spc');
    const bad = `${PASSWORD} `;
    const err = await rejects(c.send(new SignUpCommand({ ClientId: pool.clientId, Username: username, Password: bad })),
      'InvalidParameterException', /Value at 'password'/);
    assert.ok(!err.message.includes(PASSWORD), err.message);
    await rejects(c.send(new AdminGetUserCommand({ UserPoolId: pool.id, Username: username })), 'UserNotFoundException');
    await confirmedUser(username);
    await rejects(c.send(new AdminSetUserPasswordCommand({
      UserPoolId: pool.id, Username: username, Password: `\t${PASSWORD}`, Permanent: true,
    })), 'InvalidParameterException', /Value at 'password'/);
    const inner = 'Inner spac3 word';
    await c.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.id, Username: username, Password: inner, Permanent: true }));
    const r = await c.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: pool.clientId, AuthParameters: { USERNAME: username, PASSWORD: inner },
    }));
    assert.ok(r.AuthenticationResult.AccessToken);
  },

  // Tokens as the developer guide describes them, from a client created
  // with the API's default token validities (API_CreateUserPoolClient,
  // AccessTokenValidity: "If you don't specify otherwise in the
  // configuration of your app client, your access tokens are valid for one
  // hour"; IdTokenValidity likewise), and from one whose AccessTokenValidity
  // is 10 with TokenValidityUnits minutes (API_TokenValidityUnitsType). The
  // access token ("Understanding the access token")
  // carries sub, client_id, token_use "access", username, the scope
  // aws.cognito.signin.user.admin that API sign-in grants, and auth_time,
  // iat, exp, jti, origin_jti; the ID token ("Understanding the identity
  // (ID) token") carries aud (the client), token_use "id",
  // cognito:username, the user's attributes and email_verified.
  async token_claims() {
    const c = idp();
    const clientId = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'claims', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient.ClientId;
    const username = unique('tia');
    const email = `${username}@example.com`;
    await confirmedUser(username, { email, email_verified: 'true', given_name: 'Tia' });
    const r = (await c.send(passwordAuth(clientId, username))).AuthenticationResult;
    assert.equal(r.ExpiresIn, 3600);
    const access = jwtPayload(r.AccessToken);
    assert.equal(access.token_use, 'access');
    assert.equal(access.client_id, clientId);
    assert.equal(access.username, username);
    assert.ok(access.scope.split(' ').includes('aws.cognito.signin.user.admin'), access.scope);
    assert.equal(access.exp - access.iat, 3600);
    for (const claim of ['sub', 'iss', 'auth_time', 'jti', 'origin_jti']) assert.ok(access[claim], `access token lacks ${claim}`);
    assert.equal(access.iss, pool.issuer);
    const id = jwtPayload(r.IdToken);
    assert.equal(id.token_use, 'id');
    assert.equal(id.aud, clientId);
    assert.equal(id['cognito:username'], username);
    assert.equal(id.sub, access.sub);
    assert.equal(id.email, email);
    assert.equal(id.email_verified, true);
    assert.equal(id.given_name, 'Tia');
    assert.equal(id.exp - id.iat, 3600);

    const shortClient = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.id, ClientName: 'short', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AccessTokenValidity: 10, TokenValidityUnits: { AccessToken: 'minutes' },
    }))).UserPoolClient;
    assert.equal(shortClient.AccessTokenValidity, 10);
    assert.equal(shortClient.TokenValidityUnits.AccessToken, 'minutes');
    const short = (await c.send(passwordAuth(shortClient.ClientId, username))).AuthenticationResult;
    assert.equal(short.ExpiresIn, 600);
    const shortAccess = jwtPayload(short.AccessToken);
    assert.equal(shortAccess.exp - shortAccess.iat, 600);
  },

  // Settings of a pool created through the API that change behaviour:
  // UsernameAttributes email lets users sign up and sign in with their
  // email address as the username (API_CreateUserPool, UsernameAttributes:
  // "whether a user can use an email address or phone number as a username
  // when they sign up"), so a username that is no email address is
  // refused; a password shorter than PasswordPolicy.MinimumLength is
  // refused with InvalidPasswordException (API_PasswordPolicyType;
  // API_SignUp, Errors); a custom Number attribute takes only numbers
  // within its NumberAttributeConstraints (API_SchemaAttributeType;
  // API_NumberAttributeConstraintsType). AllowAdminCreateUserOnly: "Set to
  // True if only the administrator is allowed to create user profiles"
  // (API_AdminCreateUserConfigType), so SignUp is refused. The
  // documentation names none of these errors but the password's, so any
  // refusal passes for them.
  async pool_settings() {
    const c = idp();
    const poolId = (await c.send(new CreateUserPoolCommand({
      PoolName: 'email-users',
      UsernameAttributes: ['email'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false } },
      Schema: [{ Name: 'tier', AttributeDataType: 'Number', Mutable: true, NumberAttributeConstraints: { MinValue: '1', MaxValue: '5' } }],
    }))).UserPool.Id;
    const clientId = (await c.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient.ClientId;
    const email = `${unique('eva')}@example.com`;
    const signUp = (Username, Password, tier) => c.send(new SignUpCommand({
      ClientId: clientId, Username, Password,
      UserAttributes: [{ Name: 'email', Value: Username }, ...(tier ? [{ Name: 'custom:tier', Value: tier }] : [])],
    }));
    await rejects(signUp(email, 'Short1Pass'), 'InvalidPasswordException');
    await assert.rejects(signUp(unique('plain'), 'Long-Enough-Pass1'), 'a username that is no email address');
    await assert.rejects(signUp(email, 'Long-Enough-Pass1', 'not-a-number'), 'custom:tier "not-a-number"');
    await assert.rejects(signUp(email, 'Long-Enough-Pass1', '9'), 'custom:tier 9 is above MaxValue 5');
    const up = await signUp(email, 'Long-Enough-Pass1', '3');
    assert.equal(up.UserConfirmed, false);
    await c.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email }));
    const auth = await c.send(passwordAuth(clientId, email, 'Long-Enough-Pass1'));
    const me = await c.send(new GetUserCommand({ AccessToken: auth.AuthenticationResult.AccessToken }));
    const attrs = Object.fromEntries(me.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs.email, email);
    assert.equal(attrs['custom:tier'], '3');
    assert.equal(attrs.sub, up.UserSub);

    const closed = (await c.send(new CreateUserPoolCommand({
      PoolName: 'invite-only', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    }))).UserPool.Id;
    const closedClient = (await c.send(new CreateUserPoolClientCommand({ UserPoolId: closed, ClientName: 'app' })))
      .UserPoolClient.ClientId;
    await assert.rejects(c.send(new SignUpCommand({ ClientId: closedClient, Username: unique('no'), Password: PASSWORD })),
      'SignUp in a pool that allows only administrators to create users');
  },

  // API_UpdateUserPoolClient and API_UpdateUserPool: "If you don't provide
  // a value for an attribute, Amazon Cognito sets it to its default value."
  // A client updated with its name alone goes back to the default flows
  // (API_CreateUserPoolClient, ExplicitAuthFlows: refresh, SRP and custom),
  // so USER_PASSWORD_AUTH is refused after it; a pool updated without
  // AutoVerifiedAttributes no longer has them. API_ListUserPoolClients pages
  // with MaxResults and NextToken; API_DeleteUserPoolClient deletes, and
  // DescribeUserPoolClient then answers ResourceNotFoundException
  // (API_DescribeUserPoolClient, Errors).
  async update_resets_omitted_settings() {
    const c = idp();
    const poolId = (await c.send(new CreateUserPoolCommand({ PoolName: 'resets', AutoVerifiedAttributes: ['email'] }))).UserPool.Id;
    const ids = [];
    for (const name of ['a', 'b', 'c']) {
      ids.push((await c.send(new CreateUserPoolClientCommand({
        UserPoolId: poolId, ClientName: name, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }))).UserPoolClient.ClientId);
    }
    const listed = [];
    let NextToken;
    do {
      const page = await c.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2, NextToken }));
      assert.ok(page.UserPoolClients.length <= 2);
      listed.push(...page.UserPoolClients.map((x) => x.ClientId));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual([...listed].sort(), [...ids].sort());

    const username = unique('upd');
    await c.send(new AdminCreateUserCommand({
      UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', TemporaryPassword: 'Temp-Password-1',
    }));
    await c.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    assert.ok((await c.send(passwordAuth(ids[0], username))).AuthenticationResult.AccessToken);
    await c.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: ids[0], ClientName: 'renamed' }));
    const updated = (await c.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: ids[0] }))).UserPoolClient;
    assert.equal(updated.ClientName, 'renamed');
    await assert.rejects(c.send(passwordAuth(ids[0], username)), 'USER_PASSWORD_AUTH after an update that left it out');

    await c.send(new UpdateUserPoolCommand({ UserPoolId: poolId, DeletionProtection: 'INACTIVE' }));
    const described = (await c.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
    assert.ok(!(described.AutoVerifiedAttributes ?? []).includes('email'), 'AutoVerifiedAttributes survived an update that left them out');

    await c.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: ids[1] }));
    await rejects(c.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: ids[1] })), 'ResourceNotFoundException');
  },
});
