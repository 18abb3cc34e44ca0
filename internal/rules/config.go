package rules

import (
	"errors"
	"slices"
	"time"
)

// Config checks every verifier of the module applies to the fields its
// Config shares with the others. The caller wraps the error in
// ErrInvalidConfig; the texts name the field, never a value.
var (
	errNoClients      = errors.New("ClientIDs is empty; set AllowAnyClient to accept every app client")
	errEmptyClient    = errors.New("empty entry in ClientIDs")
	errEmptyAddIssuer = errors.New("empty entry in AdditionalIssuers")
)

// CheckClients checks ClientIDs and AllowAnyClient: a verifier accepts
// every app client only when told so, and never an empty client id.
func CheckClients(ids []string, anyClient bool) error {
	if len(ids) == 0 && !anyClient {
		return errNoClients
	}
	if slices.Contains(ids, "") {
		return errEmptyClient
	}
	return nil
}

// CheckAdditionalIssuers refuses an empty entry, which would match a
// token without iss.
func CheckAdditionalIssuers(issuers []string) error {
	if slices.Contains(issuers, "") {
		return errEmptyAddIssuer
	}
	return nil
}

// Leeway applies a Leeway field: zero means def, and a negative value
// demands clocks without skew.
func Leeway(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}
