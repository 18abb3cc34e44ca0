"""Shared by the boto3 cases: the pool's coordinates (set by the Go harness,
main_test.go), the boto3 client pointed at the pool, the outbox, SECRET_HASH
and the case runner. Each script runs as `python3 SCRIPT CASE` (or --list)."""

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import urllib.parse
import urllib.request

import boto3
from botocore.exceptions import ClientError

PASSWORD = "Correct-Horse-9"


def env(name):
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set: run the cases through go test")
    return value


ENDPOINT = os.environ.get("COGNITO_ENDPOINT", "")
POOL_ID = os.environ.get("COGNITO_POOL_ID", "")
CLIENT_ID = os.environ.get("COGNITO_CLIENT_ID", "")
OUTBOX = os.environ.get("COGNITO_OUTBOX", "")


def idp():
    """boto3's cognito-idp client of the pool; region and (dummy)
    credentials come from the environment."""
    return boto3.client("cognito-idp", endpoint_url=env("COGNITO_ENDPOINT"))


def unique(prefix):
    return f"{prefix}-{secrets.token_hex(4)}"


def error_code(fn, *args, **kwargs):
    """Calls fn, which must fail with a Cognito error, and returns
    (code, message)."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    raise AssertionError(f"{fn.__name__} succeeded; a Cognito error was expected")


def expect_error(code, fn, *args, **kwargs):
    got, message = error_code(fn, *args, **kwargs)
    assert got == code, f"want {code}, got {got}: {message}"
    return message


def secret_hash(username, client_id, client_secret):
    """Developer guide, "Computing secret hash values": Base64(HMAC-SHA256
    keyed with the client secret, over username followed by client ID)."""
    mac = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def confirmed_user(client, username, attributes=None, password=PASSWORD):
    """An administrator's provisioning: AdminCreateUser (SUPPRESS) then
    AdminSetUserPassword Permanent."""
    client.admin_create_user(
        UserPoolId=POOL_ID,
        Username=username,
        MessageAction="SUPPRESS",
        TemporaryPassword="Temp-Password-1",
        UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()],
    )
    client.admin_set_user_password(UserPoolId=POOL_ID, Username=username, Password=password, Permanent=True)


def password_auth(client, username, password=PASSWORD, client_id=None, extra=None):
    params = {"USERNAME": username, "PASSWORD": password}
    params.update(extra or {})
    return client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id or CLIENT_ID, AuthParameters=params
    )


def outbox(username, pool=None):
    """What the pool (by default the test pool) would have sent to
    username, oldest first (GET /local/outbox?pool=…&username=…)."""
    query = urllib.parse.urlencode({"pool": pool or POOL_ID, "username": username})
    with urllib.request.urlopen(f"{env('COGNITO_OUTBOX')}?{query}") as resp:
        body = json.load(resp)
    return body if isinstance(body, list) else body["messages"]


def latest_code(username, kind=None):
    messages = [m for m in outbox(username) if kind is None or m["kind"] == kind]
    assert messages, f"no {kind or ''} message in the outbox for {username}"
    code = messages[-1]["code"]
    assert len(code) == 6 and code.isdigit(), "codes are six digits"
    return code


def run(cases):
    """Runs the case named on the command line; a case may return a value,
    printed as the line `RESULT <json>` for the Go side."""
    if len(sys.argv) != 2:
        raise SystemExit("usage: SCRIPT CASE | --list")
    name = sys.argv[1]
    if name == "--list":
        print("\n".join(cases))
        return
    if name not in cases:
        print(f"unknown case {name!r}; cases: {', '.join(cases)}", file=sys.stderr)
        raise SystemExit(2)
    result = cases[name]()
    if result is not None:
        print("RESULT " + json.dumps(result))
