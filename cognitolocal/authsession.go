package cognitolocal

import (
	"crypto/rand"
	"maps"
	"time"
)

// Challenge sessions: the opaque Session a challenge answer carries back.
// Each one belongs to one client and one user, answers one challenge,
// lives the client's AuthSessionValidity (Cognito's default three
// minutes) and ends when answered; a wrong code leaves it to a few more
// tries, as Cognito lets a user retype a code.

// sessionLifetime is the default AuthSessionValidity: three minutes.
const sessionLifetime = 3 * time.Minute

// maxCodeAttempts is how many wrong codes a session takes before it ends.
const maxCodeAttempts = 3

// authSession is a sign-in waiting for its challenge's answer.
type authSession struct {
	username, clientID string
	expires            time.Time
	// challenge is the challenge the session answers.
	challenge string
	// typed is the name the client signed in with (an alias, say), which
	// the answers' USERNAME and SECRET_HASH may use too.
	typed string
	// code is the digest of the code sent for SMS_MFA or EMAIL_OTP.
	code     string
	attempts int
	// used marks an answered session, kept until it expires so that a
	// replay gets "can only be used once".
	used bool
	// source is the trigger source of the tokens the sign-in ends with.
	source string
	// admin marks a session of AdminInitiateAuth, answered by
	// AdminRespondToAuthChallenge; hosted one of Managed Login, answered
	// by its pages.
	admin, hosted bool
	// setupSecret is the TOTP secret AssociateSoftwareToken gave an
	// MFA_SETUP session; setupVerified that VerifySoftwareToken took a
	// code of it.
	setupSecret   string
	setupVerified bool
	setupStep     int64  // the time step of the code that verified it
	setupDevice   string // FriendlyDeviceName
	// sentTo is the phone number or email address an SMS_MFA or EMAIL_OTP
	// MFA code went to, which the right code verifies.
	sentTo string
	// setupEmail is the address an MFA_SETUP answer gave for email MFA:
	// the EMAIL_OTP session's code went there, and the right code makes
	// it the user's email and email MFA the user's factor.
	setupEmail string
	// firstFactor marks an EMAIL_OTP (or SMS_OTP) session that is the
	// passwordless first factor of USER_AUTH rather than an MFA
	// challenge: its code is refused once the user must pass MFA
	// (passwordless.go).
	firstFactor bool
	// choices are the challenges a SELECT_CHALLENGE or SELECT_MFA_TYPE
	// session offered.
	choices []string
	// device is the device key the sign-in presented, proved by
	// DEVICE_SRP_AUTH at its end; deviceSRP the exchange a
	// DEVICE_PASSWORD_VERIFIER session waits on (devicesrp.go).
	device    string
	deviceSRP *deviceExchange
	// deviceNext is the DEVICE_SRP_AUTH session an answer of this one led
	// to (devicesrp.go, deviceSession).
	deviceNext string
	// custom is the custom sign-in a CUSTOM_CHALLENGE session goes on
	// with (customauth.go); customFlow the one an MFA challenge
	// interrupts, after a custom sign-in's password (customsrp.go).
	// Never changed once stored.
	custom     *customAuth
	customFlow *customSignIn
}

// authState is the sign-in state kept under the pool's lock besides the
// sessions.
type authState struct {
	// decoyKey derives the stable SRP salts of usernames the pool does
	// not know.
	decoyKey []byte
	// srp holds PASSWORD_VERIFIER exchanges by SECRET_BLOCK digest.
	srp map[string]*srpExchange
}

func newAuthState() *authState {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &authState{decoyKey: key, srp: map[string]*srpExchange{}}
}

// sessionLifetime is how long c's challenge sessions live.
func (p *Pool) sessionLifetime(c AppClient) time.Duration {
	if c.AuthSessionValidity > 0 {
		return c.AuthSessionValidity
	}
	return sessionLifetime
}

// newSession stores s for c and username and returns its token.
func (p *Pool) newSession(c AppClient, username string, s authSession) string {
	token := randomToken(192)
	s.username, s.clientID = username, c.ClientID
	s.expires = p.now().Add(p.sessionLifetime(c))
	p.mu.Lock()
	p.pruneLocked()
	p.sessions[digest(token)] = &s
	p.mu.Unlock()
	return token
}

var (
	errSessionUsed = apiErr(codeNotAuthorized, "Invalid session for the user, session can only be used once.")
	errSessionGone = apiErr(codeNotAuthorized, "Invalid session for the user.")
	// errChallengeMismatch answers a ChallengeName other than the one the
	// session was issued for.
	errChallengeMismatch = apiErr(codeInvalidParameter, "The ChallengeName does not match the challenge of the session.")
)

// openSession returns a copy of the live session token for c answering
// challenge. A session of another client, user or challenge is refused
// as invalid; an expired one as expired; an answered one as used.
func (p *Pool) openSession(token string, c AppClient, challenge, username string) (authSession, error) {
	if token == "" {
		return authSession{}, apiErr(codeInvalidParameter, "Missing required parameter Session")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[digest(token)]
	switch {
	case s == nil || s.clientID != c.ClientID:
		return authSession{}, errSessionGone
	case s.used:
		return authSession{}, errSessionUsed
	case !p.now().Before(s.expires):
		return authSession{}, errSessionInvalid
	case s.challenge != challenge:
		return authSession{}, errChallengeMismatch
	case username != "" && !p.sameUser(username, s.username) && !p.sameUser(username, s.typed) && !p.isSubOfLocked(username, s.username):
		return authSession{}, errSessionGone
	}
	cp := *s
	cp.choices = append([]string(nil), s.choices...)
	return cp, nil
}

// isSubOfLocked reports whether name is the sub of user username: the
// clients of pools with email sign-in answer with it.
func (p *Pool) isSubOfLocked(name, username string) bool {
	u := p.userNamed(username)
	return u != nil && u.sub() == name
}

// endSession marks the session answered, for the PASSWORD_VERIFIER
// answers whose SRP exchange, taken under the lock, is what admits one
// proof (verifySRP).
func (p *Pool) endSession(token string) {
	p.mu.Lock()
	if s := p.sessions[digest(token)]; s != nil {
		s.used = true
	}
	p.mu.Unlock()
}

// claimSession ends the session and reports whether this call ended it:
// of answers that opened the session at once, one goes on.
func (p *Pool) claimSession(token string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.claimSessionLocked(token)
}

// claimSessionLocked is claimSession under the pool's lock.
func (p *Pool) claimSessionLocked(token string) error {
	s := p.sessions[digest(token)]
	switch {
	case s == nil:
		return errSessionGone
	case s.used:
		return errSessionUsed
	}
	s.used = true
	return nil
}

// failSession counts a wrong code against the session and ends it after
// maxCodeAttempts.
func (p *Pool) failSession(token string) {
	p.mu.Lock()
	if s := p.sessions[digest(token)]; s != nil {
		s.attempts++
		if s.attempts >= maxCodeAttempts {
			s.used = true
		}
	}
	p.mu.Unlock()
}

// updateSession changes a live session in place (MFA set-up records its
// secret and its verification on it).
func (p *Pool) updateSession(token string, f func(*authSession)) {
	p.mu.Lock()
	if s := p.sessions[digest(token)]; s != nil {
		f(s)
	}
	p.mu.Unlock()
}

// pruneLocked forgets expired sessions and SRP exchanges, so abandoned
// sign-ins do not pile up.
func (p *Pool) pruneLocked() {
	now := p.now()
	maps.DeleteFunc(p.sessions, func(_ string, s *authSession) bool { return !now.Before(s.expires) })
	maps.DeleteFunc(p.auth.srp, func(_ string, e *srpExchange) bool { return !now.Before(e.expires) })
}
