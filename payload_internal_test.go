package cognitojwt

import (
	"encoding/base64"
	"slices"
	"testing"
)

// TestCognitoClaimNumbers: each claim constant is the number cognitoClaims
// gives its name, so that the payload's readers switch on the right claim.
func TestCognitoClaimNumbers(t *testing.T) {
	for name, want := range map[string]int{
		"sub": claimSub, "iss": claimIss, "aud": claimAud, "client_id": claimClientID,
		"token_use": claimTokenUse, "scope": claimScope, "username": claimUsername,
		"cognito:username": claimCognitoUsername, "cognito:groups": claimGroups,
		"cognito:roles": claimRoles, "cognito:preferred_role": claimPreferredRole,
		"jti": claimJTI, "origin_jti": claimOriginJTI, "event_id": claimEventID,
		"version": claimVersion, "exp": claimExp, "iat": claimIat, "nbf": claimNbf,
		"auth_time": claimAuthTime, "at_hash": claimAtHash, "email": claimEmail,
		"email_verified": claimEmailVerified, "phone_number": claimPhoneNumber,
		"phone_number_verified": claimPhoneNumberVerified, "birthdate": claimBirthdate,
		"identities": claimIdentities, "acr": claimAcr, "amr": claimAmr, "azp": claimAzp,
		"nonce": claimNonce,
	} {
		if got := cognitoClaims.Number(name); got != want {
			t.Errorf("cognitoClaims.Number(%q) = %d, want %d", name, got, want)
		}
	}
}

// TestParsePayloadGroupsBeyondRoom: the groups the scan had no room for
// are decoded after it, names beyond the payload's room get an allocation
// of their own, and every list reads as the token wrote it.
func TestParsePayloadGroupsBeyondRoom(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 20} {
		groups := make([]string, n)
		quoted := ""
		for i := range groups {
			groups[i] = "g" + string(rune('a'+i))
			if i > 0 {
				quoted += ","
			}
			quoted += `"` + groups[i] + `"`
		}
		payload := `{"exp":1,"cognito:groups":[` + quoted + `],"scope":"a b"}`
		decoded, names, err := decodePayload(base64.RawURLEncoding.EncodeToString([]byte(payload)))
		if err != nil {
			t.Fatal(err)
		}
		var c Claims
		if err := parsePayload(decoded, names, &c); err != nil {
			t.Fatalf("%d groups: %v", n, err)
		}
		if got := c.Groups.Slice(); c.Groups.Len() != n || (n > 0 && !slices.Equal(got, groups)) {
			t.Errorf("%d groups: got %q", n, got)
		}
		if got := c.Scopes.Slice(); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("%d groups: scopes %q", n, got)
		}
	}
}
