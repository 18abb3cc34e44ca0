package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// maxTokenInput bounds what is read from standard input; real tokens are a
// few KiB, and the verifier rejects anything over 16 KiB anyway.
const maxTokenInput = 1 << 20

// parseToken parses the flags and returns the single TOKEN argument, read
// from standard input when it is "-". Surrounding white space and a
// "Bearer " prefix, as copied from an Authorization header, are dropped.
func parseToken(e *env, fs *flagSet, args []string) (string, error) {
	raw, err := parseOneArg(fs, args, "TOKEN", " (or - to read it from standard input)")
	if err != nil {
		return "", err
	}
	if raw == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxTokenInput+1))
		if err != nil {
			return "", envErrorf("reading standard input: %v", err)
		}
		if len(b) > maxTokenInput {
			return "", usageErrorf("standard input holds more than %d bytes; that is no token", maxTokenInput)
		}
		raw = string(b)
	}
	token := strings.TrimSpace(raw)
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	}
	if token == "" {
		return "", usageErrorf("the token is empty")
	}
	return token, nil
}

// decodedToken is a token taken apart without any check of its signature
// or claims.
type decodedToken struct {
	header   json.RawMessage
	payload  json.RawMessage
	warnings []string
}

// decodeToken splits and decodes a compact JWS leniently (padding and the
// standard base64 alphabet are tolerated, with a warning), so that odd
// tokens can still be inspected.
func decodeToken(token string) (*decodedToken, error) {
	parts := strings.Split(token, ".")
	switch len(parts) {
	case 3:
	case 5:
		d := &decodedToken{}
		if h, _, err := decodeSegment(parts[0]); err == nil && isJSONObject(h) {
			d.header = h
		}
		return d, fmt.Errorf("this is an encrypted token (JWE, five segments), such as a Cognito refresh token: its claims cannot be read")
	default:
		return nil, fmt.Errorf("not a JWT: %d dot-separated segments, want 3", len(parts))
	}
	d := &decodedToken{}
	for i, name := range []string{"header", "payload", "signature"} {
		b, canonical, err := decodeSegment(parts[i])
		if err != nil {
			return nil, fmt.Errorf("%s is not base64url: %v", name, err)
		}
		if !canonical {
			d.warnings = append(d.warnings, fmt.Sprintf("%s is not canonical unpadded base64url; verification rejects such tokens as malformed", name))
		}
		switch name {
		case "header":
			if !isJSONObject(b) {
				return nil, fmt.Errorf("header is not a JSON object")
			}
			d.header = b
		case "payload":
			if !isJSONObject(b) {
				return nil, fmt.Errorf("payload is not a JSON object")
			}
			d.payload = b
		case "signature":
			if len(b) == 0 {
				d.warnings = append(d.warnings, "the signature is empty: an unsigned token")
			}
		}
	}
	return d, nil
}

func decodeSegment(s string) (b []byte, canonical bool, err error) {
	if b, err := base64.RawURLEncoding.Strict().DecodeString(s); err == nil {
		return b, true, nil
	}
	lenient := strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(s, "="))
	b, err = base64.RawURLEncoding.DecodeString(lenient)
	return b, false, err
}

func isJSONObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

// claimString returns a string claim of an unverified payload, for hints.
func claimString(payload []byte, name string) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil {
		return "", false
	}
	var s string
	if raw, ok := m[name]; ok && json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return "", false
}

// timeClaims are the NumericDate claims Cognito tokens carry, in the order
// they happen.
var timeClaims = []string{"auth_time", "iat", "nbf", "exp"}

// claimTime returns a NumericDate claim of an unverified payload.
func claimTime(payload []byte, name string) (time.Time, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil {
		return time.Time{}, false
	}
	raw, ok := m[name]
	if !ok {
		return time.Time{}, false
	}
	var f float64
	// Past year 9999 no date is meaningful, and time arithmetic overflows.
	if json.Unmarshal(raw, &f) != nil || math.Abs(f) > 253402300799 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

func writeJSON(w io.Writer, title string, raw []byte) {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		b.Reset()
		b.Write(raw)
	}
	fmt.Fprintf(w, "%s:\n%s\n", title, b.String())
}

const (
	localLayout = "2006-01-02 15:04:05 -0700 MST"
	utcLayout   = "2006-01-02 15:04:05 UTC"
)

// writeTimes lists the token's dates in local time and UTC, and how far
// they are from now.
func writeTimes(w io.Writer, payload []byte, now time.Time) {
	var lines []string
	for _, name := range timeClaims {
		t, ok := claimTime(payload, name)
		if !ok {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %-10s %-32s %-24s %s", name, t.Local().Format(localLayout), t.UTC().Format(utcLayout), relative(name, t, now)))
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "Times (local, UTC):\n%s\n", strings.Join(lines, "\n"))
}

func relative(name string, t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	switch {
	case name == "exp" && d <= 0:
		return "expired " + shortDuration(-d) + " ago"
	case name == "exp":
		return "expires in " + shortDuration(d)
	case d > 0:
		return "in " + shortDuration(d) + " (in the future)"
	case d < 0:
		return shortDuration(-d) + " ago"
	}
	return "now"
}

// shortDuration writes 1h instead of 1h0m0s, 2m instead of 2m0s.
func shortDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd%s", d/(24*time.Hour), strings.TrimSuffix(shortDuration(d%(24*time.Hour)), "0s"))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// timesJSON maps each date claim to its RFC 3339 UTC form, for --json.
func timesJSON(payload []byte) map[string]string {
	out := map[string]string{}
	for _, name := range timeClaims {
		if t, ok := claimTime(payload, name); ok {
			out[name] = t.UTC().Format(time.RFC3339)
		}
	}
	return out
}
