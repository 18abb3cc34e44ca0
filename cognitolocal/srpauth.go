package cognitolocal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// USER_SRP_AUTH: InitiateAuth takes SRP_A and answers PASSWORD_VERIFIER
// with the salt, B and an opaque SECRET_BLOCK; RespondToAuthChallenge
// takes the client's proof over that block and a timestamp.

// srpExchange is the pool's half of a PASSWORD_VERIFIER challenge, kept
// under the digest of its SECRET_BLOCK (pycognito answers without a
// Session, so the block is the key).
type srpExchange struct {
	clientID string
	// username is the user's canonical name; empty for a decoy exchange
	// of a username the pool does not know, which no proof passes.
	username string
	// typed is the name the client signed in with, which its SECRET_HASH
	// may use.
	typed   string
	userID  string // USER_ID_FOR_SRP as sent
	key     []byte
	block   []byte
	expires time.Time
	// userAuth marks an exchange started by USER_AUTH, whose sign-in
	// goes on as choice-based sign-in does.
	userAuth bool
	// device is the device key InitiateAuth presented (devicesrp.go).
	device string
	// custom is the custom sign-in whose define trigger asked for the
	// password (customsrp.go); nil for the other flows.
	custom *customSignIn
}

// srpClockSkew is how far a PASSWORD_VERIFIER TIMESTAMP may be from the
// pool's clock.
const srpClockSkew = 5 * time.Minute

// errSRPUnavailable answers SRP for a user whose password was set before
// the pool kept SRP verifiers: it has only a one-way hash to go on.
var errSRPUnavailable = apiErr(codeNotAuthorized, "This user's password predates SRP in the local pool: sign in once with the password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH or /login) or set it again, then USER_SRP_AUTH works.")

var errSRPA = apiErr(codeInvalidParameter, "SRP_A is not a valid SRP public value.")

// startSRP answers USER_SRP_AUTH (and USER_AUTH's PASSWORD_SRP): it
// checks SRP_A, looks up the user's verifier (or a decoy's, so an unknown
// name gets a challenge like any other) and keeps the exchange until
// its proof arrives or it expires.
func (p *Pool) startSRP(c AppClient, username, srpA string, userAuth bool) (*initiateAuthOutput, error) {
	a, ok := parseSRPA(srpA)
	if !ok {
		return nil, errSRPA
	}
	poolName := srpPoolName(p.poolID)
	p.mu.Lock()
	u := p.userNamed(username)
	var ver *srpVerifier
	var canonical string
	var noPassword bool
	if u != nil {
		ver, canonical = u.SRP, u.Username
		noPassword = u.awaitsFirstPassword() && u.Status == statusResetRequired && u.Enabled
	}
	decoyKey, hidden := p.auth.decoyKey, p.hiddenNameLocked(username)
	p.mu.Unlock()
	userID := canonical
	switch {
	case noPassword:
		// An imported user has no password, hence no verifier and
		// nothing to prove: told at once, as checkCredentialsFor tells
		// the password flows, whatever the client's
		// PreventUserExistenceErrors (the user exists).
		return nil, errPasswordReset
	case u != nil && ver == nil:
		return nil, errSRPUnavailable
	case u == nil && !c.hidesUsers():
		return nil, errUserNotFound
	case u == nil:
		// The decoy names the user it stands for as a user's challenge
		// would (hiddenNameLocked): a UUID in pools that sign in with an
		// email address or phone number, else the name itself.
		ver = decoySRPVerifier(decoyKey, poolName, username)
		userID = hidden
	}
	srv, ok := srpStart(ver, a)
	if !ok {
		return nil, errSRPA
	}
	block := make([]byte, 96)
	_, _ = rand.Read(block)
	blockText := base64.StdEncoding.EncodeToString(block)
	p.mu.Lock()
	p.pruneLocked()
	p.auth.srp[digest(blockText)] = &srpExchange{
		clientID: c.ClientID, username: canonical, typed: username, userID: userID,
		key: srv.key, block: block, expires: p.now().Add(p.sessionLifetime(c)), userAuth: userAuth,
	}
	p.mu.Unlock()
	out := &initiateAuthOutput{
		ChallengeName: "PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT": ver.Salt, "SRP_B": srv.B.Text(16), "SECRET_BLOCK": blockText,
			"USERNAME": userID, "USER_ID_FOR_SRP": userID,
		},
	}
	if userAuth {
		// Choice-based sign-in carries a session through every step;
		// the classic flow answers PASSWORD_VERIFIER without one.
		out.Session = p.newSession(c, canonical, authSession{challenge: "PASSWORD_VERIFIER"})
	}
	return out, nil
}

// decoyUserID is the USER_ID_FOR_SRP of an unknown username: stable and
// shaped like the UUIDs pools with email sign-in use.
func decoyUserID(key []byte, username string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("id:" + fold(username)))
	b := mac.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexDigits = "0123456789abcdef"
	var sb strings.Builder
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			sb.WriteByte('-')
		}
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&15])
	}
	return sb.String()
}

// verifySRP checks a PASSWORD_VERIFIER answer: its parameters, the
// timestamp's form and age, the exchange (once, unexpired, this client,
// this user) and the proof. It returns the user's canonical name and the
// exchange.
func (p *Pool) verifySRP(c AppClient, r map[string]string) (*srpExchange, error) {
	for _, name := range []string{"USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if r[name] == "" {
			return nil, apiErr(codeInvalidParameter, "Missing required parameter "+name)
		}
	}
	ts, ok := parseSRPTimestamp(r["TIMESTAMP"])
	if !ok {
		return nil, apiErr(codeInvalidParameter, "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	}
	p.mu.Lock()
	key := digest(r["PASSWORD_CLAIM_SECRET_BLOCK"])
	ex := p.auth.srp[key]
	delete(p.auth.srp, key) // one proof per exchange, right or wrong
	p.mu.Unlock()
	if ex == nil || ex.clientID != c.ClientID || !p.now().Before(ex.expires) {
		return nil, errBadCredentials
	}
	if err := c.checkSecretHash(r["USERNAME"], r["SECRET_HASH"]); err != nil {
		if c.checkSecretHash(ex.typed, r["SECRET_HASH"]) != nil {
			return nil, err
		}
	}
	if !p.sameUser(r["USERNAME"], ex.userID) && !p.sameUser(r["USERNAME"], ex.typed) {
		return nil, errBadCredentials
	}
	if d := p.now().Sub(ts); d > srpClockSkew || d < -srpClockSkew {
		return nil, errBadCredentials
	}
	sig, err := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SIGNATURE"])
	// The signature covers the timestamp as Cognito writes it: a client
	// that pads the day or names the wrong weekday fails, as it does
	// against Cognito.
	want := srpSignature(ex.key, srpPoolName(p.poolID), ex.userID, ex.block, formatSRPTimestamp(ts))
	if err != nil || !hmac.Equal(sig, want) || ex.username == "" {
		return nil, errBadCredentials
	}
	return ex, nil
}

var (
	srpWeekdays = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	srpMonths   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// parseSRPTimestamp reads a TIMESTAMP of the form Cognito's Java parser
// takes, "EEE MMM d HH:mm:ss z yyyy" in English, as leniently as it does:
// the weekday is any English abbreviation and the day may be padded,
// though the signature then fails (see formatSRPTimestamp). The zone is
// UTC or GMT.
func parseSRPTimestamp(s string) (time.Time, bool) {
	f := strings.Split(s, " ")
	if len(f) != 6 || indexFold(srpWeekdays, f[0]) < 0 || (f[4] != "UTC" && f[4] != "GMT") {
		return time.Time{}, false
	}
	month := indexFold(srpMonths, f[1])
	day, okDay := smallNumber(f[2], 1, 31)
	year, okYear := smallNumber(f[5], 1000, 9999)
	hms := strings.Split(f[3], ":")
	if month < 0 || !okDay || !okYear || len(f[5]) != 4 || len(hms) != 3 {
		return time.Time{}, false
	}
	hh, ok1 := smallNumber(hms[0], 0, 23)
	mm, ok2 := smallNumber(hms[1], 0, 59)
	ss, ok3 := smallNumber(hms[2], 0, 59)
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month+1), day, hh, mm, ss, 0, time.UTC), true
}

// formatSRPTimestamp writes t as the clients do: English abbreviations,
// unpadded day, 24-hour clock, "UTC".
func formatSRPTimestamp(t time.Time) string {
	return t.UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
}

func indexFold(list []string, s string) int {
	for i, v := range list {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return -1
}

// smallNumber parses a decimal of one to four digits within [lo, hi].
func smallNumber(s string, lo, hi int) (int, bool) {
	if len(s) == 0 || len(s) > 4 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi
}

// setPasswordLocked stores a new password of u: the PBKDF2 hash (made
// beforehand, outside the lock: it is the slow part) that the password
// flows check, and the SRP verifier, which needs the canonical username.
// Every operation that sets a password goes through it.
func (p *Pool) setPasswordLocked(u *user, hash, password string) {
	u.Password = hash
	u.SRP = newSRPVerifier(srpPoolName(p.poolID), u.Username, password)
}

// backfillSRP gives a user whose password predates SRP a verifier, once
// the password has been checked in plain: a saved state from before
// keeps only one-way hashes, from which no verifier can be derived, so
// each such user gains SRP at their next password sign-in.
func (p *Pool) backfillSRP(username, password string) {
	p.mu.Lock()
	u := p.userNamed(username)
	need := u != nil && u.SRP == nil
	var canonical, stored string
	if need {
		canonical, stored = u.Username, u.Password
	}
	p.mu.Unlock()
	if !need {
		return
	}
	ver := newSRPVerifier(srpPoolName(p.poolID), canonical, password)
	p.mu.Lock()
	// Only if the password is still the one checked.
	if u := p.userNamed(username); u != nil && u.SRP == nil && u.Password == stored {
		u.SRP = ver
	}
	p.mu.Unlock()
}
