package cognitolocal

import "context"

// Deleting users: by an administrator (AdminDeleteUser) or by the user
// themself (DeleteUser).

// DeleteUser deletes username as AdminDeleteUser does: the user, their
// pending codes and their refresh tokens are gone, so tokens issued to
// them no longer refresh and the user operations refuse their access
// tokens. Messages already in the outbox stay.
func (p *Pool) DeleteUser(username string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.userLocked(username)
	if err != nil {
		return err
	}
	p.deleteUserLocked(u)
	return nil
}

// deleteUserLocked removes u and revokes its refresh-token families.
func (p *Pool) deleteUserLocked(u *user) {
	p.signOutLocked(u)
	delete(p.users, p.userKey(u.Username))
}

// adminDeleteUser deletes a user. API reference, AdminDeleteUser:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDeleteUser.html
func (p *Pool) adminDeleteUser(_ context.Context, in *poolUser) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return &empty{}, p.DeleteUser(in.Username)
}

// deleteUser deletes the user of an access token. API reference,
// DeleteUser:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUser.html
func (p *Pool) deleteUser(ctx context.Context, in *accessTokenInput) (*empty, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.DeleteUser(name)
}
