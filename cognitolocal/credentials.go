package cognitolocal

// checkCredentialsFor checks a username and password for a sign-in
// through client c, then the user's state, in Cognito's order:
//   - an unknown user is UserNotFoundException for a LEGACY client and
//     "Incorrect username or password." for one that prevents user
//     existence errors ("Managing user existence error responses",
//     https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html);
//     it costs a hash either way, so timing reveals no usernames;
//   - a user a CSV import created, who has no password yet, is
//     PasswordResetRequiredException whatever the password;
//   - an UNCONFIRMED user is UserNotConfirmedException;
//   - a wrong password is NotAuthorizedException;
//   - then a disabled user, RESET_REQUIRED (PasswordResetRequiredException, API reference of
//     AdminResetUserPassword), an expired temporary password, and a
//     temporary password (errPasswordChange with the snapshot that serves
//     the NEW_PASSWORD_REQUIRED challenge).
func (p *Pool) checkCredentialsFor(c AppClient, username, password string) (snapshot, error) {
	p.mu.Lock()
	u := p.userNamed(username)
	ok := u != nil
	var stored, status string
	var snap snapshot
	var enabled, tempExpired, imported bool
	if ok {
		imported = u.Imported
		stored, snap, status, enabled = u.Password, p.snapshotLocked(u), u.Status, u.Enabled
		tempExpired = p.temporaryPasswordExpired(u.TemporarySince)
	} else {
		stored = decoyHash()
	}
	p.mu.Unlock()
	// The hash runs unlocked: it is the slow part of every sign-in.
	match := checkPasswordHash(stored, password)
	switch {
	case !ok:
		return snapshot{}, c.unknownUser(errBadCredentials)
	case imported && status == statusResetRequired && stored == "" && enabled:
		// An imported user has no password to check: "Your users are in
		// a RESET_REQUIRED state when imported" ("Importing users into
		// user pools from a CSV file").
		return snapshot{}, errPasswordReset
	case status == statusUnconfirmed:
		// Before the password: Cognito answers UserNotConfirmedException
		// even to a wrong one (observed, amazon-cognito-identity-js#288).
		return snapshot{}, errNotConfirmed
	case !match:
		return snapshot{}, errBadCredentials
	}
	p.backfillSRP(snap.username, password)
	switch {
	case !enabled:
		return snapshot{}, errUserDisabled
	case status == statusResetRequired:
		return snapshot{}, errPasswordReset
	case status == statusForceChangePwd && tempExpired:
		return snapshot{}, errTemporaryExpired
	case status == statusForceChangePwd:
		return snap, errPasswordChange
	}
	return snap, nil
}
