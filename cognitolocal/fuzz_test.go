package cognitolocal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAPIRequest sends arbitrary operations and bodies to the JSON API:
// every answer is 200 with JSON, or a Cognito error (400, typed, with a
// message) that never echoes the body; nothing panics and no input makes
// the pool fail internally.
func FuzzAPIRequest(f *testing.F) {
	p := fuzzPool(f)
	if _, err := p.CreateUser("alice", testPassword, map[string]string{"email": "alice@example.com"}); err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][2]string{
		{"InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"local-client","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}`},
		{"InitiateAuth", `{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"local-client","AuthParameters":{"REFRESH_TOKEN":"x"}}`},
		{"GetUser", `{"AccessToken":"a.b.c"}`},
		{"AdminCreateUser", `{"UserPoolId":"` + p.PoolID() + `","Username":"bob","UserAttributes":[{"Name":"custom:x","Value":"1"}]}`},
		{"AdminUpdateUserAttributes", `{"UserPoolId":"` + p.PoolID() + `","Username":"alice","UserAttributes":[{"Name":"sub","Value":"x"}]}`},
		{"ListUsers", `{"UserPoolId":"` + p.PoolID() + `","Filter":"email ^= \"al\""}`},
		{"CreateUserPoolClient", `{"UserPoolId":"` + p.PoolID() + `","ClientName":"c","GenerateSecret":true,"RefreshTokenValidity":-1}`},
		{"AddCustomAttributes", `{"UserPoolId":"` + p.PoolID() + `","CustomAttributes":[{"Name":"n","AttributeDataType":"Number"}]}`},
		{"RespondToAuthChallenge", `{"ChallengeName":"NEW_PASSWORD_REQUIRED","ClientId":"local-client","Session":"x"}`},
		{"SignUp", `{"ClientId":"local-client","Username":"eve","Password":"Passw0rd!"}`},
		{"RevokeToken", `{"ClientId":"local-client","Token":"t"}`},
		{"Nope", `{}`}, {"GetUser", `null`}, {"GetUser", `[`}, {"ListUsers", `{"Limit":-5}`},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", targetPrefix+op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, r)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s answered %d with a body that is not a JSON object: %q", op, rec.Code, rec.Body.String())
		}
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			typ, _ := out["__type"].(string)
			if typ == "" || rec.Header().Get("x-amzn-ErrorType") != typ {
				t.Fatalf("%s: error without its type: %q", op, rec.Body.String())
			}
			if msg, _ := out["message"].(string); len(body) >= 8 && strings.Contains(msg, body) {
				t.Fatalf("%s: the message echoes the request: %q", op, msg)
			}
		default:
			t.Fatalf("%s answered %d: %q", op, rec.Code, rec.Body.String())
		}
	})
}

// FuzzTokenForm posts arbitrary forms and Authorization headers to the
// token and revocation endpoints: every answer is an RFC 6749 one (200,
// or 400/401 with an error code from the RFC), and nothing panics.
func FuzzTokenForm(f *testing.F) {
	p := fuzzPool(f)
	for _, seed := range [][3]string{
		{"/oauth2/token", "grant_type=authorization_code&client_id=local-client&code=x&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&code_verifier=" + strings.Repeat("a", 43), ""},
		{"/oauth2/token", "grant_type=refresh_token&client_id=local-client&refresh_token=x", ""},
		{"/oauth2/token", "grant_type=client_credentials&scope=a%2Fb", "Basic bG9jYWwtY2xpZW50Og=="},
		{"/oauth2/token", "grant_type=client_credentials", "Basic %%%"},
		{"/oauth2/token", "grant_type=password&username=a&password=b", "Bearer x"},
		{"/oauth2/token", "grant_type=%zz", ""},
		{"/oauth2/token", "client_id=local-client&client_id=other&grant_type=refresh_token&grant_type=x", ""},
		{"/oauth2/revoke", "token=x&client_id=local-client", ""},
		{"/oauth2/revoke", "token=x", "Basic Og=="},
		{"/oauth2/revoke", strings.Repeat("a", 70<<10), ""},
	} {
		f.Add(seed[0] == "/oauth2/revoke", seed[1], seed[2])
	}
	codes := map[string]bool{
		"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
		"unsupported_grant_type": true, "invalid_scope": true,
	}
	f.Fuzz(func(t *testing.T, revoke bool, form, authorization string) {
		path := "/oauth2/token"
		if revoke {
			path = "/oauth2/revoke"
		}
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, r)
		if rec.Code == http.StatusOK {
			return
		}
		var out map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || !codes[out["error"]] {
			t.Fatalf("%s answered %d: %q", path, rec.Code, rec.Body.String())
		}
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnauthorized {
			t.Fatalf("%s answered %d", path, rec.Code)
		}
		if v, err := url.ParseQuery(form); err == nil {
			for _, secret := range []string{v.Get("code"), v.Get("refresh_token"), v.Get("client_secret"), v.Get("token")} {
				if len(secret) >= 8 && strings.Contains(rec.Body.String(), secret) {
					t.Fatalf("%s echoed a secret: %q", path, rec.Body.String())
				}
			}
		}
	})
}

func fuzzPool(f *testing.F) *Pool {
	k, err := sharedKey()
	if err != nil {
		f.Fatal(err)
	}
	p, err := New(Config{Key: k})
	if err != nil {
		f.Fatal(err)
	}
	return p
}
