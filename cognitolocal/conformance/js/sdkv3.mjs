// Cases driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-cognito-identity-provider), as a Node back end or app
// uses it. API reference pages are cited as
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html
// and developer-guide pages under https://docs.aws.amazon.com/cognito/latest/developerguide/.
import assert from 'node:assert/strict';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PASSWORD, confirmedUser, idp, jwtPayload, pool, rejects, run, unique } from './common.mjs';

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
  // as a wrong password does. DescribeUserPoolClient reports the setting
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
});
