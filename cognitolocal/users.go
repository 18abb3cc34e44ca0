package cognitolocal

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
)

// The user model: creation, attributes, status, enabling, passwords set by an administrator.

// User statuses, as UserStatusType names them.
const (
	statusConfirmed      = "CONFIRMED"
	statusUnconfirmed    = "UNCONFIRMED"
	statusForceChangePwd = "FORCE_CHANGE_PASSWORD"
)

// CreateUser creates a confirmed, enabled user with a permanent password
// and returns its sub. Custom attributes not yet declared are declared as
// mutable strings, a shortcut for tests the JSON API does not take
// (AdminCreateUser refuses them, as Cognito does).
func (p *Pool) CreateUser(username, password string, attrs map[string]string) (sub string, err error) {
	if err := p.checkPassword(password); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.declareLocked(attrs)
	u, err := p.createUserLocked(username, "", attrs, false)
	if err != nil {
		return "", err
	}
	p.setPasswordLocked(u, hashPassword(password), password)
	u.Status = statusConfirmed
	return u.sub(), nil
}

// createUserLocked adds an enabled user with no password yet, applying
// the pool's username settings and schema. In a pool whose usernames are
// email addresses or phone numbers, the user's username is its sub: kept,
// a pre sign-up event having named the user by it, else new.
func (p *Pool) createUserLocked(username, kept string, attrs map[string]string, forceAlias bool) (*user, error) {
	if err := checkUsername(username); err != nil {
		return nil, err
	}
	attr, err := p.usernameAttribute(username)
	if err != nil {
		return nil, err
	}
	if p.userNamed(username) != nil {
		return nil, errUserExists
	}
	sub := newUUID()
	if attr != "" && kept != "" {
		sub = kept
	}
	if attr != "" {
		// An email address or phone number given as the username is that
		// attribute; the username kept is the sub.
		attrs = maps.Clone(attrs)
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs[attr] = username
		username = sub
	}
	if err := p.checkAttributesLocked(attrs, nil); err != nil {
		return nil, err
	}
	now := p.now()
	u := &user{
		Username:     username,
		Attributes:   map[string]string{"sub": sub},
		Enabled:      true,
		Created:      now,
		LastModified: now,
	}
	for name, v := range attrs {
		u.Attributes[name] = v
	}
	if err := p.claimAliasesLocked(u, u.Attributes, forceAlias); err != nil {
		return nil, err
	}
	p.users[p.userKey(username)] = u
	return u, nil
}

// checkUsername checks the form of a new username.
func checkUsername(username string) error {
	if username == "" {
		return errUsernameMissing
	}
	if len(username) > 128 || strings.ContainsFunc(username, unicode.IsSpace) {
		return apiErr(codeInvalidParameter, "Username should be at most 128 characters, without whitespace.")
	}
	return nil
}

// setAttributesLocked writes attrs after checkAttributesLocked; an
// empty value deletes the attribute. A new email (or phone number) is
// unverified unless the same update verifies it, as Cognito resets
// email_verified on change.
func (p *Pool) setAttributesLocked(u *user, attrs map[string]string) error {
	if err := p.checkAttributesLocked(attrs, u); err != nil {
		return err
	}
	next := maps.Clone(u.Attributes)
	var stale []string
	for _, pair := range [][2]string{{"email", "email_verified"}, {"phone_number", "phone_number_verified"}} {
		v, changed := attrs[pair[0]]
		if !changed || v == u.Attributes[pair[0]] {
			continue
		}
		// A code sent to the old address verifies nothing any more.
		stale = append(stale, purposeAttribute+pair[0])
		if _, set := attrs[pair[1]]; !set {
			next[pair[1]] = "false"
			if v == "" {
				delete(next, pair[1])
			}
		}
	}
	for name, v := range attrs {
		// "To delete an attribute, set its value to an empty string"
		// (API reference, UpdateUserAttributes and
		// AdminUpdateUserAttributes, UserAttributes).
		if v == "" {
			delete(next, name)
		} else {
			next[name] = v
		}
	}
	// An alias another user holds is refused before anything changes
	// (aliases.go).
	if err := p.claimAliasesLocked(u, next, false); err != nil {
		return err
	}
	for _, purpose := range stale {
		delete(u.Codes, purpose)
	}
	u.Attributes = next
	u.LastModified = p.now()
	return nil
}

// userLocked returns the user a request names, or UserNotFoundException.
func (p *Pool) userLocked(username string) (*user, error) {
	u := p.userNamed(username)
	if u == nil {
		return nil, errUserNotFound
	}
	return u, nil
}

// userNamed resolves a name as the user operations read one, under the
// lock: nil when no user has it. Every lookup of a user by a name a
// request or a saved record gives goes through it, so that the pool's
// username settings apply everywhere.
func (p *Pool) userNamed(name string) *user {
	if u := p.users[p.userKey(name)]; u != nil {
		return u
	}
	return p.resolveAliasLocked(name)
}

// userKey is the key of a username in the user map: unless the pool is
// case sensitive, "Alice" and "alice" are one user.
func (p *Pool) userKey(username string) string {
	if p.conf().CaseSensitive {
		return username
	}
	return fold(username)
}

// sameUser reports whether two usernames name the same user.
func (p *Pool) sameUser(a, b string) bool { return p.userKey(a) == p.userKey(b) }

// onUser runs f on username's record under the lock.
func (p *Pool) onUser(username string, f func(*user) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.userLocked(username)
	if err != nil {
		return err
	}
	return f(u)
}

// SetUserAttributes sets attributes of username as AdminUpdateUserAttributes
// does (custom attributes not yet declared are declared as mutable
// strings, as in CreateUser). Tokens issued afterwards carry them.
func (p *Pool) SetUserAttributes(username string, attrs map[string]string) error {
	return p.onUser(username, func(u *user) error {
		p.declareLocked(attrs)
		return p.setAttributesLocked(u, attrs)
	})
}

// DisableUser disables username and, as AdminDisableUser does, revokes
// its tokens: sign-in and refresh fail, and the user operations refuse
// its access tokens, even after EnableUser.
func (p *Pool) DisableUser(username string) error {
	if err := p.setEnabled(username, false); err != nil {
		return err
	}
	return p.GlobalSignOut(username)
}

// EnableUser enables username again.
func (p *Pool) EnableUser(username string) error { return p.setEnabled(username, true) }

func (p *Pool) setEnabled(username string, enabled bool) error {
	return p.onUser(username, func(u *user) error {
		u.Enabled = enabled
		u.LastModified = p.now()
		return nil
	})
}

// SetUserPassword sets username's password as AdminSetUserPassword does:
// a permanent one confirms the user, a temporary one forces a change at
// the next sign-in.
func (p *Pool) SetUserPassword(username, password string, permanent bool) error {
	if err := p.checkPassword(password); err != nil {
		return err
	}
	h := hashPassword(password)
	return p.onUser(username, func(u *user) error {
		p.setPasswordLocked(u, h, password)
		u.TemporarySince = time.Time{}
		if permanent {
			u.Status = statusConfirmed
		} else {
			u.Status = statusForceChangePwd
			u.TemporarySince = p.now()
		}
		u.LastModified = p.now()
		return nil
	})
}

// GlobalSignOut ends every refresh-token family of username: refreshes
// fail and the user operations refuse the families' access tokens.
func (p *Pool) GlobalSignOut(username string) error {
	return p.onUser(username, func(u *user) error {
		p.signOutLocked(u)
		return nil
	})
}

type user struct {
	Username   string            `json:"username"`
	Attributes map[string]string `json:"attributes"` // sub included
	Enabled    bool              `json:"enabled"`
	Status     string            `json:"status"`
	Password   string            `json:"password"` // hashPassword's encoding
	// SRP is the password's SRP verifier; nil for a password set before
	// the pool kept verifiers, until the password is next presented.
	SRP          *srpVerifier `json:"srp,omitempty"`
	MFA          *userMFA     `json:"mfa,omitempty"`
	Groups       []string     `json:"groups,omitempty"`
	Created      time.Time    `json:"created"`
	LastModified time.Time    `json:"lastModified"`
	// TemporarySince is when a temporary password was set, which lives
	// the policy's TemporaryPasswordValidityDays.
	TemporarySince time.Time `json:"temporaryPasswordSet,omitzero"`
	// SignOuts counts global sign-outs (and disables): a sign-in that
	// began before the last one gets no tokens.
	SignOuts int `json:"signOuts,omitempty"`
	// Codes are the verification codes sent and not yet used, by purpose.
	Codes map[string]*pendingCode `json:"codes,omitempty"`
	// Attempts count requests toward the per-user hourly limits, by
	// operation.
	Attempts map[string]*attemptWindow `json:"attempts,omitempty"`
	// Devices are the device keys handed to the user (devices.go), and
	// DeviceGroup the group key they share.
	Devices     []*device `json:"devices,omitempty"`
	DeviceGroup string    `json:"deviceGroup,omitempty"`
	// Imported marks a user a CSV import created (importjobs.go): until
	// a password is set, its sign-in answers
	// PasswordResetRequiredException whatever the password given.
	Imported bool `json:"imported,omitempty"`
}

func (u *user) sub() string { return u.Attributes["sub"] }

// awaitsFirstPassword reports whether u is an imported user who has had
// no password here yet: nothing to check, no SRP verifier, and no reset
// code sent.
func (u *user) awaitsFirstPassword() bool { return u.Imported && u.Password == "" }

// fold folds a username's case.
func fold(username string) string { return strings.ToLower(username) }

// snapshot is what a token says about its user, read under the lock so
// that the trigger and the signing run without it.
type snapshot struct {
	username string
	attrs    map[string]string
	groups   []string
	// roles and preferredRole are the groups' IAM roles (roles.go).
	roles         []string
	preferredRole string
	// signOuts is the user's count when the snapshot was read.
	signOuts int
	// status is the user's status then.
	status string
}

func (u *user) snapshot() snapshot {
	return snapshot{username: u.Username, attrs: maps.Clone(u.Attributes), groups: slices.Clone(u.Groups), signOuts: u.SignOuts, status: u.Status}
}

// signOutLocked revokes every refresh-token family of u and ends the
// sign-ins under way (startFamily).
func (p *Pool) signOutLocked(u *user) {
	for _, f := range p.families {
		if p.sameUser(f.Username, u.Username) {
			f.Revoked = true
		}
	}
	u.SignOuts++
}

// deleteAttributesLocked removes attributes; sub and immutable custom
// attributes stay, as Cognito refuses to delete them.
func (p *Pool) deleteAttributesLocked(u *user, names []string) error {
	for _, n := range names {
		if err := p.deletableLocked(n, u); err != nil {
			return err
		}
	}
	for _, n := range names {
		delete(u.Attributes, n)
	}
	u.LastModified = p.now()
	return nil
}
