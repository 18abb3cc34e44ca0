package cognitolocal

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// apiOpNames are the operations of the dispatch table, in a fixed order so
// a fuzz input's operation index names the same operation on every run.
var apiOpNames = slices.Sorted(maps.Keys(apiOps))

// fuzzSecretValue is a password-like value seeded into every member a
// request may carry a secret in; no error message may repeat it.
const fuzzSecretValue = "S3cretValue!9"

// secretMembers name the members holding passwords, codes, tokens and
// sessions, at the top level or inside AuthParameters/ChallengeResponses.
func secretMember(name string) bool {
	n := strings.ToUpper(name)
	for _, s := range []string{"PASSWORD", "CODE", "TOKEN", "SESSION", "SECRET", "SRP_A", "SIGNATURE"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// secretValues collects the string values of secret members in a body.
func secretValues(body string) []string {
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) != nil {
		return nil
	}
	var out []string
	var walk func(map[string]any)
	walk = func(m map[string]any) {
		for k, v := range m {
			switch v := v.(type) {
			case string:
				if secretMember(k) && len(v) >= 6 {
					out = append(out, v)
				}
			case map[string]any:
				walk(v)
			}
		}
	}
	walk(m)
	return out
}

// fuzzSeedBodies returns bodies for op: its required members with a
// plausible value, then each one wrong in the ways a hostile client would
// send it.
func fuzzSeedBodies(op, poolID string) []string {
	plausible := func(member string) any {
		switch member {
		case "UserPoolId":
			return poolID
		case "ClientId":
			return DefaultClientID
		case "Username":
			return "alice"
		case "AuthFlow":
			return "USER_PASSWORD_AUTH"
		case "ChallengeName":
			return "SMS_MFA"
		case "UserCode":
			return "123456"
		case "MaxResults":
			return 10
		case "UserAttributes":
			return []any{map[string]any{"Name": "email", "Value": "a@example.com"}}
		case "UserAttributeNames":
			return []any{"email"}
		case "CustomAttributes":
			return []any{map[string]any{"Name": "n", "AttributeDataType": "String"}}
		}
		if secretMember(member) {
			return fuzzSecretValue
		}
		return "value"
	}
	base := map[string]any{
		"AuthParameters":     map[string]any{"USERNAME": "alice", "PASSWORD": fuzzSecretValue, "SECRET_HASH": fuzzSecretValue},
		"ChallengeResponses": map[string]any{"USERNAME": "alice", "SMS_MFA_CODE": fuzzSecretValue, "NEW_PASSWORD": fuzzSecretValue},
		"Limit":              5,
	}
	for _, m := range apiRequired[op] {
		base[m] = plausible(m)
	}
	encode := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		return string(b)
	}
	bodies := []string{encode(base), "{}", `{"UserPoolId":"us-east-1_Unknown","ClientId":"unknown"}`}
	wrong := []any{nil, 7, -1, 1e300, "", strings.Repeat("x", 5000), map[string]any{"Nested": map[string]any{}}, []any{1, "x"}, true}
	for j, m := range apiRequired[op] {
		for k := range 2 {
			b := maps.Clone(base)
			b[m] = wrong[(2*j+k+len(op))%len(wrong)]
			bodies = append(bodies, encode(b))
		}
		b := maps.Clone(base)
		delete(b, m)
		bodies = append(bodies, encode(b))
	}
	// Paging and session members out of range, all at once.
	b := maps.Clone(base)
	for j, m := range []string{"Limit", "MaxResults", "NextToken", "PaginationToken", "AccessToken", "Session", "Filter"} {
		b[m] = []any{-5, 1 << 40, map[string]any{}, "", strings.Repeat("\xff", 10)}[(j+len(op))%5]
	}
	bodies = append(bodies, encode(b))
	return bodies
}

// FuzzAPI sends every operation of the dispatch table arbitrary bodies,
// seeded with each operation's members of the wrong type, null, empty,
// huge, negative or nested, and unknown pool and client IDs. Every answer
// is 200 with a JSON object, or a typed 400 Cognito error whose message
// never repeats a password, code or token from the request; nothing
// panics and nothing fails internally.
func FuzzAPI(f *testing.F) {
	k, err := sharedKey()
	if err != nil {
		f.Fatal(err)
	}
	for i, op := range apiOpNames {
		for _, body := range fuzzSeedBodies(op, DefaultPoolID) {
			f.Add(uint8(i), body)
		}
	}
	// alice is created once and her saved state loaded into every input's
	// pool: hashing her password and SRP verifier per input was most of
	// the seed corpus's run time.
	seed, err := New(Config{Key: k})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := seed.CreateUser("alice", testPassword, map[string]string{"email": "alice@example.com"}); err != nil {
		f.Fatal(err)
	}
	var saved bytes.Buffer
	if err := seed.SaveState(&saved); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, body string) {
		// A fresh pool each time: an input that deletes the pool or its
		// client must not hide what later inputs would reach.
		p, err := New(Config{Key: k})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.LoadState(bytes.NewReader(saved.Bytes())); err != nil {
			t.Fatal(err)
		}
		op := apiOpNames[int(opIndex)%len(apiOpNames)]
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", targetPrefix+op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, r)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out == nil {
			t.Fatalf("%s answered %d with a body that is not a JSON object: %q", op, rec.Code, rec.Body.String())
		}
		switch rec.Code {
		case http.StatusOK:
			return
		case http.StatusBadRequest:
		default:
			t.Fatalf("%s answered %d: %q", op, rec.Code, rec.Body.String())
		}
		typ, _ := out["__type"].(string)
		msg, _ := out["message"].(string)
		if typ == "" || msg == "" || rec.Header().Get("x-amzn-ErrorType") != typ {
			t.Fatalf("%s: error without its type, message or header: %q", op, rec.Body.String())
		}
		for _, secret := range secretValues(body) {
			if strings.Contains(msg, secret) {
				t.Fatalf("%s: the message repeats a secret of the request: %q", op, msg)
			}
		}
	})
}
