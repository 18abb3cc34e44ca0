package cognitojwt

import "time"

// Hooks let a service count and time what the verifier does without the
// library depending on any metrics package. Every field is optional; the
// zero value does nothing. Hooks run synchronously on the request path, so
// they must be quick and safe for concurrent use.
type Hooks struct {
	// OnVerify is called once per Verify with its outcome.
	OnVerify func(VerifyOutcome)
	// OnJWKSFetch is called after every JWKS fetch, successful or not.
	OnJWKSFetch func(JWKSFetch)
	// OnCooldown is called when an unknown kid would have caused a fetch
	// but the refetch cooldown suppressed it.
	OnCooldown func()
}

// VerifyOutcome describes one Verify call.
type VerifyOutcome struct {
	// Err is nil on success; otherwise use ErrorCode(Err) as a label.
	Err error
	// Duration is the time Verify took.
	Duration time.Duration
	// CacheHit reports that the verified-token cache answered.
	CacheHit bool
	// TokenUse is the verifier's configured token use.
	TokenUse TokenUse
}

// JWKSFetch describes one JWKS fetch.
type JWKSFetch struct {
	URL      string
	Status   int // HTTP status, 0 when no response arrived
	Keys     int // usable keys in the new set; 0 on failure
	Duration time.Duration
	Err      error
}

func (h *Hooks) fetched(f JWKSFetch) {
	if h.OnJWKSFetch != nil {
		h.OnJWKSFetch(f)
	}
}

func (h *Hooks) cooldown() {
	if h.OnCooldown != nil {
		h.OnCooldown()
	}
}
