"""Cases driven by boto3, as a Python back end or script uses it.

API reference pages are cited as API_<Operation>, for
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html;
developer-guide pages by title, under
https://docs.aws.amazon.com/cognito/latest/developerguide/."""

import base64
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import srp  # noqa: E402
from common import (  # noqa: E402
    CLIENT_ID,
    PASSWORD,
    POOL_ID,
    confirmed_user,
    error_code,
    expect_error,
    idp,
    latest_code,
    outbox,
    password_auth,
    run,
    secret_hash,
    unique,
)


def global_sign_out():
    """API_GlobalSignOut: after it, Cognito "returns an Access Token has been
    revoked error" to a user-pools API request authorized with the user's
    access token, and "no longer accepts a signed-out user's refresh tokens
    in refresh requests"."""
    c = idp()
    username = unique("gus")
    confirmed_user(c, username)
    tokens = password_auth(c, username)["AuthenticationResult"]
    assert c.get_user(AccessToken=tokens["AccessToken"])["Username"] == username
    c.global_sign_out(AccessToken=tokens["AccessToken"])
    message = expect_error("NotAuthorizedException", c.get_user, AccessToken=tokens["AccessToken"])
    assert "Access Token has been revoked" in message, message
    expect_error(
        "NotAuthorizedException",
        c.initiate_auth,
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=CLIENT_ID,
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )


def secret_hash_client():
    """API_CreateUserPoolClient with GenerateSecret answers a ClientSecret.
    API_InitiateAuth, AuthParameters: SECRET_HASH is "required if the app
    client is configured with a client secret"; the documentation does not
    name the error of a missing or wrong one, so any refusal passes (not a
    UserNotFound, the user exists). With SECRET_HASH computed as the
    developer guide's "Computing secret hash values" says, the user signs
    in."""
    c = idp()
    client = c.create_user_pool_client(
        UserPoolId=POOL_ID,
        ClientName="confidential",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    client_id, client_secret = client["ClientId"], client["ClientSecret"]
    assert client_secret
    described = c.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == client_secret
    assert sorted(described["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]

    username = unique("sam")
    confirmed_user(c, username)
    code, message = error_code(password_auth, c, username, client_id=client_id)
    assert code != "UserNotFoundException", message
    wrong = secret_hash(username, client_id, "not-the-secret")
    code, message = error_code(password_auth, c, username, client_id=client_id, extra={"SECRET_HASH": wrong})
    assert code != "UserNotFoundException", message
    good = secret_hash(username, client_id, client_secret)
    tokens = password_auth(c, username, client_id=client_id, extra={"SECRET_HASH": good})["AuthenticationResult"]
    assert tokens["AccessToken"] and tokens["RefreshToken"]
    return {"accessToken": tokens["AccessToken"], "clientId": client_id, "username": username}


def list_users_and_admin_get_user():
    """API_ListUsers: Filter "email = \\"…\\"" matches the attribute exactly and
    "^=" by prefix. API_AdminGetUser answers UserNotFoundException for a
    user the pool does not have (Errors)."""
    c = idp()
    a, b = unique("lia"), unique("lib")
    confirmed_user(c, a, {"email": f"{a}@example.com"})
    confirmed_user(c, b, {"email": f"{b}@example.org"})
    exact = c.list_users(UserPoolId=POOL_ID, Filter=f'email = "{a}@example.com"')["Users"]
    assert [u["Username"] for u in exact] == [a], exact
    prefix = c.list_users(UserPoolId=POOL_ID, Filter=f'username ^= "{b[:6]}"')["Users"]
    assert b in [u["Username"] for u in prefix], prefix
    got = c.admin_get_user(UserPoolId=POOL_ID, Username=a)
    assert got["UserStatus"] == "CONFIRMED" and got["Enabled"] is True
    expect_error("UserNotFoundException", c.admin_get_user, UserPoolId=POOL_ID, Username=unique("nobody"))


def disabled_user():
    """API_AdminDisableUser: "A deactivated user can't sign in, but still
    appears in the responses to ListUsers"; the documentation does not name
    the sign-in error, so any refusal passes. API_AdminEnableUser lets the
    user sign in again."""
    c = idp()
    username = unique("dee")
    confirmed_user(c, username)
    c.admin_disable_user(UserPoolId=POOL_ID, Username=username)
    assert c.admin_get_user(UserPoolId=POOL_ID, Username=username)["Enabled"] is False
    error_code(password_auth, c, username)
    listed = c.list_users(UserPoolId=POOL_ID, Filter=f'username = "{username}"')["Users"]
    assert [u["Username"] for u in listed] == [username]
    c.admin_enable_user(UserPoolId=POOL_ID, Username=username)
    assert password_auth(c, username)["AuthenticationResult"]["AccessToken"]


def blank_attribute_deletes():
    """API_AdminUpdateUserAttributes: "To delete an attribute from your
    user, submit the attribute in your API request with a blank value";
    the other attributes stay (API_AdminGetUser)."""
    c = idp()
    username = unique("bla")
    confirmed_user(c, username, {"given_name": "Bla", "family_name": "Nk"})
    c.admin_update_user_attributes(UserPoolId=POOL_ID, Username=username,
                                   UserAttributes=[{"Name": "given_name", "Value": ""}])
    attrs = {a["Name"]: a["Value"] for a in c.admin_get_user(UserPoolId=POOL_ID, Username=username)["UserAttributes"]}
    assert "given_name" not in attrs, attrs
    assert attrs["family_name"] == "Nk", attrs


def forgot_password():
    """API_ForgotPassword sends a confirmation code to the user's verified
    email and answers CodeDeliveryDetails (DeliveryMedium EMAIL,
    AttributeName email, a masked Destination). API_ConfirmForgotPassword
    with a wrong code answers CodeMismatchException (Errors); with the code
    it sets the new password: the old one no longer signs in, the new one
    does."""
    c = idp()
    username = unique("fox")
    email = f"{username}@example.com"
    confirmed_user(c, username, {"email": email, "email_verified": "true"})
    details = c.forgot_password(ClientId=CLIENT_ID, Username=username)["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL", details
    assert details["AttributeName"] == "email", details
    assert details["Destination"] != email and "*" in details["Destination"], details
    code = latest_code(username)
    wrong = "000000" if code != "000000" else "111111"
    expect_error(
        "CodeMismatchException",
        c.confirm_forgot_password,
        ClientId=CLIENT_ID,
        Username=username,
        ConfirmationCode=wrong,
        Password="New-Password-7",
    )
    c.confirm_forgot_password(ClientId=CLIENT_ID, Username=username, ConfirmationCode=code, Password="New-Password-7")
    error_code(password_auth, c, username, PASSWORD)
    assert password_auth(c, username, "New-Password-7")["AuthenticationResult"]["AccessToken"]
    entry = outbox(username)[-1]
    assert entry["deliveryMedium"] == "EMAIL" and entry["destination"] == email, entry


def _claims(token):
    """A token's payload, decoded without verification (the Go side
    verifies the tokens it checks)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def groups_in_tokens():
    """Developer guide, "Understanding the access token" and "Understanding
    the identity (ID) token": cognito:groups lists the user's groups.
    API_CreateGroup answers GroupExistsException for a name taken (Errors).
    API_AdminListGroupsForUser lists the user's groups;
    API_AdminRemoveUserFromGroup takes the user out, and the next sign-in's
    tokens no longer name the group."""
    c = idp()
    c.create_group(UserPoolId=POOL_ID, GroupName="admins", Precedence=1)
    c.create_group(UserPoolId=POOL_ID, GroupName="staff", Precedence=5)
    expect_error("GroupExistsException", c.create_group, UserPoolId=POOL_ID, GroupName="staff")
    username = unique("gia")
    confirmed_user(c, username)
    for group in ("staff", "admins"):
        c.admin_add_user_to_group(UserPoolId=POOL_ID, Username=username, GroupName=group)
    listed = c.admin_list_groups_for_user(UserPoolId=POOL_ID, Username=username)["Groups"]
    assert sorted(g["GroupName"] for g in listed) == ["admins", "staff"], listed
    tokens = password_auth(c, username)["AuthenticationResult"]
    access, id_token = _claims(tokens["AccessToken"]), _claims(tokens["IdToken"])
    assert sorted(access["cognito:groups"]) == ["admins", "staff"], access
    assert sorted(id_token["cognito:groups"]) == ["admins", "staff"], id_token
    c.admin_remove_user_from_group(UserPoolId=POOL_ID, Username=username, GroupName="admins")
    again = _claims(password_auth(c, username)["AuthenticationResult"]["AccessToken"])
    assert again["cognito:groups"] == ["staff"], again


def group_roles_in_id_token():
    """API_CreateGroup, Precedence: "If a user belongs to two or more groups,
    it is the group with the lowest precedence value whose role ARN is given
    in the user's tokens for the cognito:roles and cognito:preferred_role
    claims"; after leaving that group, the next group's role is preferred."""
    c = idp()
    admins_role = "arn:aws:iam::123456789012:role/Admins"
    staff_role = "arn:aws:iam::123456789012:role/Staff"
    c.create_group(UserPoolId=POOL_ID, GroupName="admins", Precedence=1, RoleArn=admins_role)
    c.create_group(UserPoolId=POOL_ID, GroupName="staff", Precedence=5, RoleArn=staff_role)
    username = unique("roa")
    confirmed_user(c, username)
    for group in ("staff", "admins"):
        c.admin_add_user_to_group(UserPoolId=POOL_ID, Username=username, GroupName=group)
    id_token = _claims(password_auth(c, username)["AuthenticationResult"]["IdToken"])
    assert id_token.get("cognito:preferred_role") == admins_role, id_token
    assert admins_role in id_token.get("cognito:roles", []), id_token
    c.admin_remove_user_from_group(UserPoolId=POOL_ID, Username=username, GroupName="admins")
    again = _claims(password_auth(c, username)["AuthenticationResult"]["IdToken"])
    assert again.get("cognito:preferred_role") == staff_role, again


def admin_invitation():
    """API_AdminCreateUser: without TemporaryPassword "Amazon Cognito
    generates one for you" and sends it in the invitation, by the
    DesiredDeliveryMediums (here EMAIL); MessageAction SUPPRESS sends
    nothing; RESEND sends the invitation again "with a new temporary
    password". Developer guide, "Creating user accounts as administrator":
    the invited user signs in with the temporary password and must set a
    new one (NEW_PASSWORD_REQUIRED, API_InitiateAuth)."""
    c = idp()
    quiet = unique("qui")
    c.admin_create_user(UserPoolId=POOL_ID, Username=quiet, MessageAction="SUPPRESS",
                        UserAttributes=[{"Name": "email", "Value": f"{quiet}@example.com"}])
    assert outbox(quiet) == [], "SUPPRESS sent a message"

    username = unique("inv")
    email = f"{username}@example.com"
    c.admin_create_user(UserPoolId=POOL_ID, Username=username, DesiredDeliveryMediums=["EMAIL"],
                        UserAttributes=[{"Name": "email", "Value": email}])
    sent = outbox(username)
    assert len(sent) == 1 and sent[0]["deliveryMedium"] == "EMAIL" and sent[0]["destination"] == email, sent
    temporary = sent[0]["code"]
    assert temporary and temporary in sent[0]["message"], sent[0]
    challenge = password_auth(c, username, temporary)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and challenge["Session"], challenge

    c.admin_create_user(UserPoolId=POOL_ID, Username=username, MessageAction="RESEND",
                        DesiredDeliveryMediums=["EMAIL"])
    resent = outbox(username)
    assert len(resent) == 2 and resent[-1]["code"] != temporary, resent
    challenge = password_auth(c, username, resent[-1]["code"])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED", challenge
    done = c.respond_to_auth_challenge(ClientId=CLIENT_ID, ChallengeName="NEW_PASSWORD_REQUIRED",
                                       Session=challenge["Session"],
                                       ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": "Chosen-Pass-6"})
    assert done["AuthenticationResult"]["AccessToken"]


def admin_reset_user_password():
    """API_AdminResetUserPassword: the user's password stops working and
    "Amazon Cognito responds with a PasswordResetRequiredException error"
    to a sign-in; the status is RESET_REQUIRED (API_UserType, UserStatus:
    "the user must request a code and reset their password before they can
    sign in"). The code it sends confirms a new password
    (API_ConfirmForgotPassword), after which the user signs in."""
    c = idp()
    username = unique("rob")
    confirmed_user(c, username, {"email": f"{username}@example.com", "email_verified": "true"})
    c.admin_reset_user_password(UserPoolId=POOL_ID, Username=username)
    assert c.admin_get_user(UserPoolId=POOL_ID, Username=username)["UserStatus"] == "RESET_REQUIRED"
    expect_error("PasswordResetRequiredException", password_auth, c, username)
    code = latest_code(username)
    c.confirm_forgot_password(ClientId=CLIENT_ID, Username=username, ConfirmationCode=code, Password="After-Reset-5")
    assert c.admin_get_user(UserPoolId=POOL_ID, Username=username)["UserStatus"] == "CONFIRMED"
    assert password_auth(c, username, "After-Reset-5")["AuthenticationResult"]["AccessToken"]


def user_pool_lifecycle():
    """API_CreateUserPool answers the pool, whose Id has UserPoolId's
    pattern [\\w-]+_[0-9a-zA-Z]+; API_DescribeUserPool answers it by ID with
    its name and settings; API_UpdateUserPool changes them;
    API_ListUserPools (MaxResults required, 1 to 60) pages with NextToken
    until every pool is listed once. A pool with DeletionProtection ACTIVE
    cannot be deleted (API_CreateUserPool, DeletionProtection: "Before you
    can delete a user pool that you have protected against deletion, you
    must deactivate this feature"; the error is not named, so any refusal
    passes); once INACTIVE, DeleteUserPool deletes it and DescribeUserPool
    answers ResourceNotFoundException (API_DescribeUserPool, Errors)."""
    c = idp()
    created = [
        c.create_user_pool(PoolName=f"pool-{i}", AutoVerifiedAttributes=["email"])["UserPool"] for i in range(3)
    ]
    for p in created:
        assert re.fullmatch(r"[\w-]+_[0-9a-zA-Z]+", p["Id"]), p["Id"]
    ids = {p["Id"] for p in created}
    assert len(ids) == 3
    described = c.describe_user_pool(UserPoolId=created[0]["Id"])["UserPool"]
    assert described["Name"] == "pool-0" and described["AutoVerifiedAttributes"] == ["email"], described

    seen, token = [], None
    while True:
        kwargs = {"MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = c.list_user_pools(**kwargs)
        assert len(page["UserPools"]) <= 2, page
        seen += [p["Id"] for p in page["UserPools"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)), f"a pool was listed twice: {seen}"
    assert ids <= set(seen), seen

    protected = created[1]["Id"]
    c.update_user_pool(UserPoolId=protected, DeletionProtection="ACTIVE", AutoVerifiedAttributes=["email"])
    assert c.describe_user_pool(UserPoolId=protected)["UserPool"]["DeletionProtection"] == "ACTIVE"
    error_code(c.delete_user_pool, UserPoolId=protected)
    assert c.describe_user_pool(UserPoolId=protected)["UserPool"]["Id"] == protected
    c.update_user_pool(UserPoolId=protected, DeletionProtection="INACTIVE")
    c.delete_user_pool(UserPoolId=protected)
    expect_error("ResourceNotFoundException", c.describe_user_pool, UserPoolId=protected)


def list_users_paging():
    """API_ListUsers: Limit (at most 60) and PaginationToken walk every user
    once, the last page without a PaginationToken."""
    c = idp()
    names = {unique("pag") for _ in range(5)}
    for n in names:
        confirmed_user(c, n)
    seen, token = [], None
    while True:
        kwargs = {"UserPoolId": POOL_ID, "Limit": 2}
        if token:
            kwargs["PaginationToken"] = token
        page = c.list_users(**kwargs)
        assert len(page["Users"]) <= 2, page
        seen += [u["Username"] for u in page["Users"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) and names <= set(seen), seen


def list_groups_paging():
    """API_ListGroups: Limit (at most 60) and NextToken walk every group
    once, the last page without a NextToken."""
    c = idp()
    for i in range(3):
        c.create_group(UserPoolId=POOL_ID, GroupName=f"g{i}")
    groups, token = [], None
    while True:
        kwargs = {"UserPoolId": POOL_ID, "Limit": 2}
        if token:
            kwargs["NextToken"] = token
        page = c.list_groups(**kwargs)
        assert len(page["Groups"]) <= 2, page
        groups += [g["GroupName"] for g in page["Groups"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(groups) == ["g0", "g1", "g2"], groups


def _srp_client(c, generate_secret):
    return c.create_user_pool_client(
        UserPoolId=POOL_ID,
        ClientName="srp",
        GenerateSecret=generate_secret,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]


def _srp_sign_in(c, client, username, password):
    """USER_SRP_AUTH answered with PASSWORD_VERIFIER (developer guide,
    "Authentication flows": SRP; API_InitiateAuth; API_RespondToAuthChallenge,
    ChallengeResponses PASSWORD_VERIFIER: PASSWORD_CLAIM_SIGNATURE,
    PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, USERNAME, SECRET_HASH when the
    client has a secret)."""
    session = srp.Client()
    params = {"USERNAME": username, "SRP_A": session.srp_a}
    secret = client.get("ClientSecret")
    if secret:
        params["SECRET_HASH"] = secret_hash(username, client["ClientId"], secret)
    challenge = c.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client["ClientId"], AuthParameters=params)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER", challenge
    cp = challenge["ChallengeParameters"]
    for name in ("SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"):
        assert cp.get(name), f"PASSWORD_VERIFIER lacks {name}: {cp}"
    answer = session.answer(POOL_ID, cp, password)
    if secret:
        answer["SECRET_HASH"] = secret_hash(cp["USER_ID_FOR_SRP"], client["ClientId"], secret)
    kwargs = {"ClientId": client["ClientId"], "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer}
    if challenge.get("Session"):
        kwargs["Session"] = challenge["Session"]
    return lambda: c.respond_to_auth_challenge(**kwargs)


def srp_password_verifier():
    """SRP computed here from the protocol signs in with the right password,
    on a public client and on one with a secret; the wrong password is
    refused with NotAuthorizedException (API_RespondToAuthChallenge,
    Errors; developer guide, "Managing user existence error responses":
    "Incorrect username or password")."""
    c = idp()
    username = unique("sri")
    confirmed_user(c, username)
    results = {}
    for generate_secret in (False, True):
        client = _srp_client(c, generate_secret)
        out = _srp_sign_in(c, client, username, PASSWORD)()
        tokens = out["AuthenticationResult"]
        assert tokens["AccessToken"] and tokens["IdToken"] and tokens["RefreshToken"]
        results["secret" if generate_secret else "public"] = {
            "accessToken": tokens["AccessToken"],
            "clientId": client["ClientId"],
        }
        message = expect_error("NotAuthorizedException", _srp_sign_in(c, client, username, "Wrong-Password-1"))
        assert "Incorrect username or password" in message, message
    results["username"] = username
    return results


def user_auth_password_srp():
    """Choice-based sign-in, USER_AUTH, with PREFERRED_CHALLENGE
    PASSWORD_SRP and SRP_A (API_InitiateAuth, AuthParameters) answers
    PASSWORD_VERIFIER, answered with SRP computed here, on a client that
    allows only ALLOW_USER_AUTH: it "covers username-password, secure remote
    password (SRP)" and "users can complete an SRP challenge through
    USER_AUTH without the flow USER_SRP_AUTH being active"
    (API_CreateUserPoolClient, ExplicitAuthFlows). USER_SRP_AUTH itself is
    then not allowed, so it is refused (the error is not named in the
    documentation). The SELECT_CHALLENGE half is js/sdkv3.mjs's: this
    botocore predates USER_AUTH and drops AvailableChallenges."""
    c = idp()
    client = c.create_user_pool_client(
        UserPoolId=POOL_ID, ClientName="choices", ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]
    client_id = client["ClientId"]
    username = unique("cho")
    confirmed_user(c, username)
    session = srp.Client()
    verifier = c.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id, AuthParameters={
        "USERNAME": username, "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": session.srp_a})
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER", verifier
    kwargs = {"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
              "ChallengeResponses": session.answer(POOL_ID, verifier["ChallengeParameters"], PASSWORD)}
    if verifier.get("Session"):
        kwargs["Session"] = verifier["Session"]
    assert c.respond_to_auth_challenge(**kwargs)["AuthenticationResult"]["AccessToken"]
    code, message = error_code(c.initiate_auth, AuthFlow="USER_SRP_AUTH", ClientId=client_id,
                               AuthParameters={"USERNAME": username, "SRP_A": srp.Client().srp_a})
    assert code != "UserNotFoundException", message


def srp_email_username():
    """In a pool whose users sign in with their email address
    (API_CreateUserPool, UsernameAttributes), an SRP sign-in started with
    the email answers PASSWORD_VERIFIER whose USER_ID_FOR_SRP "is the user's
    actual username, not an alias (such as email address or phone number),
    even if you specified an alias" in the call (API_AdminInitiateAuth,
    ChallengeParameters, says so of the admin flow; API_InitiateAuth's
    PASSWORD_VERIFIER carries the same USER_ID_FOR_SRP); the proof computed
    over that user ID signs in."""
    c = idp()
    pool_id = c.create_user_pool(PoolName="by-email", UsernameAttributes=["email"])["UserPool"]["Id"]
    client = c.create_user_pool_client(UserPoolId=pool_id, ClientName="spa",
                                       ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    email = f"{unique('mail')}@example.com"
    c.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS",
                        TemporaryPassword="Temp-Password-1",
                        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    c.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    session = srp.Client()
    challenge = c.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client["ClientId"],
                                AuthParameters={"USERNAME": email, "SRP_A": session.srp_a})
    params = challenge["ChallengeParameters"]
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER", challenge
    assert params["USER_ID_FOR_SRP"] != email, params
    kwargs = {"ClientId": client["ClientId"], "ChallengeName": "PASSWORD_VERIFIER",
              "ChallengeResponses": session.answer(pool_id, params, PASSWORD)}
    if challenge.get("Session"):
        kwargs["Session"] = challenge["Session"]
    tokens = c.respond_to_auth_challenge(**kwargs)["AuthenticationResult"]
    return {"accessToken": tokens["AccessToken"], "clientId": client["ClientId"],
            "username": params["USER_ID_FOR_SRP"], "poolId": pool_id}


def srp_refusals():
    """SRP-6a's own rules (RFC 5054, section 2.5.4: "The host MUST abort the
    authentication attempt if A % N is zero"), and a sign-in's proof is
    good once: answering the same PASSWORD_VERIFIER again, with the same
    SECRET_BLOCK and signature, must not sign in a second time (an
    eavesdropper's replay). Cognito's documentation names no error for
    either, so any refusal passes."""
    c = idp()
    client = _srp_client(c, False)
    username = unique("rep")
    confirmed_user(c, username)
    for bad_a in (srp.N, 0, 2 * srp.N):
        error_code(c.initiate_auth, AuthFlow="USER_SRP_AUTH", ClientId=client["ClientId"],
                   AuthParameters={"USERNAME": username, "SRP_A": format(bad_a, "x")})
    respond = _srp_sign_in(c, client, username, PASSWORD)
    assert respond()["AuthenticationResult"]["AccessToken"]
    error_code(respond)


def admin_initiate_auth():
    """API_AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH on a client that
    allows ALLOW_ADMIN_USER_PASSWORD_AUTH answers tokens; a wrong password
    answers NotAuthorizedException (Errors); REFRESH_TOKEN_AUTH refreshes;
    a temporary password leads to NEW_PASSWORD_REQUIRED."""
    c = idp()
    client = c.create_user_pool_client(
        UserPoolId=POOL_ID,
        ClientName="backend",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    username = unique("ada")
    confirmed_user(c, username)
    out = c.admin_initiate_auth(
        UserPoolId=POOL_ID,
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    assert out["AuthenticationResult"]["AccessToken"]
    expect_error(
        "NotAuthorizedException",
        c.admin_initiate_auth,
        UserPoolId=POOL_ID,
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Wrong-Password-1"},
    )
    # REFRESH_TOKEN_AUTH through AdminInitiateAuth answers new tokens
    # (API_AdminInitiateAuth, AuthFlow).
    refreshed = c.admin_initiate_auth(
        UserPoolId=POOL_ID, ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": out["AuthenticationResult"]["RefreshToken"]},
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]
    # A user with a temporary password gets NEW_PASSWORD_REQUIRED, answered
    # with AdminRespondToAuthChallenge (API_AdminRespondToAuthChallenge,
    # ChallengeResponses NEW_PASSWORD_REQUIRED: NEW_PASSWORD, USERNAME).
    invited = unique("adn")
    c.admin_create_user(UserPoolId=POOL_ID, Username=invited, MessageAction="SUPPRESS",
                        TemporaryPassword="Temp-Password-1")
    challenge = c.admin_initiate_auth(
        UserPoolId=POOL_ID, ClientId=client["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited, "PASSWORD": "Temp-Password-1"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and challenge["Session"], challenge
    done = c.admin_respond_to_auth_challenge(
        UserPoolId=POOL_ID, ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"], ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": "Chosen-Pass-6"},
    )
    assert done["AuthenticationResult"]["AccessToken"]
    assert c.admin_get_user(UserPoolId=POOL_ID, Username=invited)["UserStatus"] == "CONFIRMED"


def passwordless_refused_with_mfa():
    """A user with MFA on cannot sign in without a password: "If a user has
    MFA configured, passwordless sign-in options will not be available"
    (Amplify's passwordless guide,
    https://docs.amplify.aws/react/build-a-backend/auth/concepts/passwordless/,
    citing the developer guide's MFA prerequisites,
    https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html).
    In a pool with OPTIONAL MFA, a USER_AUTH preference for a passwordless
    factor (EMAIL_OTP, SMS_OTP, WEB_AUTHN) or such a SELECT_CHALLENGE answer
    is refused for a user with SMS MFA on (the guides name no error: the
    pool answers InvalidParameterException) and sends no code; the password
    leads to SMS_MFA, whose code signs in. This botocore knows neither
    SignInPolicy nor AvailableChallenges: what is offered is checked in
    cognitolocal/awstest. Its own pool, as SetUserPoolMfaConfig would change
    the shared one."""
    c = idp()
    pool_id = c.create_user_pool(PoolName=unique("pwless"))["UserPool"]["Id"]
    try:
        c.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SmsMfaConfiguration={
            "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms"}})
        client_id = c.create_user_pool_client(
            UserPoolId=pool_id, ClientName="choices", ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        )["UserPoolClient"]["ClientId"]
        name = unique("mfa")
        c.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS", TemporaryPassword="Temp-Password-1",
                            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                            {"Name": "phone_number", "Value": "+15555550123"}])
        c.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)

        def user_auth(**params):
            return c.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id, AuthParameters={"USERNAME": name, **params})

        # Without a factor, a preference the pool cannot run falls back to the choice.
        assert user_auth(PREFERRED_CHALLENGE="EMAIL_OTP")["ChallengeName"] == "SELECT_CHALLENGE"
        c.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name,
                                        SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
        for factor in ("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"):
            message = expect_error("InvalidParameterException", user_auth, PREFERRED_CHALLENGE=factor)
            assert name not in message, message
        choice = user_auth()
        assert choice["ChallengeName"] == "SELECT_CHALLENGE", choice
        expect_error("InvalidParameterException", c.respond_to_auth_challenge, ClientId=client_id,
                     ChallengeName="SELECT_CHALLENGE", Session=choice["Session"],
                     ChallengeResponses={"USERNAME": name, "ANSWER": "EMAIL_OTP"})
        assert outbox(name, pool_id) == [], "no code is sent"

        mfa = c.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SELECT_CHALLENGE", Session=choice["Session"],
                                          ChallengeResponses={"USERNAME": name, "ANSWER": "PASSWORD", "PASSWORD": PASSWORD})
        assert mfa["ChallengeName"] == "SMS_MFA" and "AuthenticationResult" not in mfa, mfa
        code = outbox(name, pool_id)[-1]["code"]
        done = c.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_MFA", Session=mfa["Session"],
                                           ChallengeResponses={"USERNAME": name, "SMS_MFA_CODE": code})
        assert done["AuthenticationResult"]["AccessToken"]
    finally:
        c.delete_user_pool(UserPoolId=pool_id)

def admin_custom_auth():
    """Developer guide, "Custom authentication challenge Lambda triggers";
    API_AdminInitiateAuth, AuthFlow CUSTOM_AUTH, and
    API_AdminRespondToAuthChallenge, ChallengeResponses CUSTOM_CHALLENGE:
    ANSWER, USERNAME and, for a client with a secret, SECRET_HASH. A back
    end signs a user in through the pool's challenge triggers (the Go
    test's quizFunction, named by ARN in LambdaConfig): the create
    trigger's public parameters come back as ChallengeParameters, a wrong
    answer is asked again with a new Session, the right one answers
    tokens. A missing SECRET_HASH is refused (NotAuthorizedException)."""
    c = idp()
    arn = "arn:aws:lambda:us-east-1:000000000000:function:quiz"
    pool_id = c.create_user_pool(
        PoolName=unique("custom"),
        LambdaConfig={"DefineAuthChallenge": arn, "CreateAuthChallenge": arn, "VerifyAuthChallengeResponse": arn},
    )["UserPool"]["Id"]
    try:
        client = c.create_user_pool_client(
            UserPoolId=pool_id, ClientName="backend", GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        client_id, secret = client["ClientId"], client["ClientSecret"]
        name = unique("cai")
        c.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        c.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
        expect_error("NotAuthorizedException", c.admin_initiate_auth, UserPoolId=pool_id, ClientId=client_id,
                     AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": name})
        hashed = secret_hash(name, client_id, secret)
        out = c.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                    AuthParameters={"USERNAME": name, "SECRET_HASH": hashed})
        assert out["ChallengeName"] == "CUSTOM_CHALLENGE", out
        assert out["ChallengeParameters"]["question"] == "What colour is the sky?", out
        assert "answer" not in out["ChallengeParameters"], "the private parameters stay in the pool"

        def answer(session, text):
            return c.admin_respond_to_auth_challenge(
                UserPoolId=pool_id, ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=session,
                ChallengeResponses={"USERNAME": name, "ANSWER": text, "SECRET_HASH": hashed})

        again = answer(out["Session"], "green")
        assert again["ChallengeName"] == "CUSTOM_CHALLENGE" and again["Session"] != out["Session"], again
        done = answer(again["Session"], "blue")
        assert done["AuthenticationResult"]["AccessToken"], done
        assert done["AuthenticationResult"]["RefreshToken"], done
    finally:
        c.delete_user_pool(UserPoolId=pool_id)


run(
    {
        "admin_custom_auth": admin_custom_auth,
        "global_sign_out": global_sign_out,
        "secret_hash_client": secret_hash_client,
        "list_users_and_admin_get_user": list_users_and_admin_get_user,
        "disabled_user": disabled_user,
        "groups_in_tokens": groups_in_tokens,
        "group_roles_in_id_token": group_roles_in_id_token,
        "blank_attribute_deletes": blank_attribute_deletes,
        "forgot_password": forgot_password,
        "admin_invitation": admin_invitation,
        "admin_reset_user_password": admin_reset_user_password,
        "user_pool_lifecycle": user_pool_lifecycle,
        "list_users_paging": list_users_paging,
        "list_groups_paging": list_groups_paging,
        "srp_password_verifier": srp_password_verifier,
        "srp_email_username": srp_email_username,
        "srp_refusals": srp_refusals,
        "admin_initiate_auth": admin_initiate_auth,
        "user_auth_password_srp": user_auth_password_srp,
        "passwordless_refused_with_mfa": passwordless_refused_with_mfa,
    }
)
