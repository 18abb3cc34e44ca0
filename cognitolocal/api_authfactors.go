package cognitolocal

import (
	"context"
	"slices"
)

// GetUserAuthFactors and AdminGetUserAuthFactors: a user's MFA settings
// and the first factors of choice-based sign-in (USER_AUTH) the user can
// choose. The API reference: the list holds "eligible
// RespondToAuthChallenge:ChallengeName selections for
// PREFERRED_CHALLENGE", as InitiateAuth's AvailableChallenges, whose
// rules it shares (availableFirstFactorsLocked), but for PASSWORD_SRP,
// which is no AuthFactorType: PASSWORD stands for both. (Every user of
// the local pool has a password: SignUp and AdminCreateUser give one.)

type userAuthFactorsOutput struct {
	Username                  string   `json:"Username"`
	PreferredMfaSetting       string   `json:"PreferredMfaSetting,omitempty"`
	UserMFASettingList        []string `json:"UserMFASettingList,omitempty"`
	ConfiguredUserAuthFactors []string `json:"ConfiguredUserAuthFactors"`
}

func (p *Pool) getUserAuthFactors(ctx context.Context, in *accessTokenInput) (*userAuthFactorsOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	var out *userAuthFactorsOutput
	err = p.onUser(name, func(u *user) error {
		out = p.userAuthFactorsLocked(u)
		return nil
	})
	return out, err
}

func (p *Pool) adminGetUserAuthFactors(_ context.Context, in *poolUser) (*userAuthFactorsOutput, error) {
	var out *userAuthFactorsOutput
	err := p.withUser(*in, func(u *user) error {
		out = p.userAuthFactorsLocked(u)
		return nil
	})
	return out, err
}

func (p *Pool) userAuthFactorsLocked(u *user) *userAuthFactorsOutput {
	mfa := userMFASettings(u)
	// A client that names users as they are: the user's own factors.
	factors := p.availableFirstFactorsLocked(AppClient{PreventUserExistenceErrors: "LEGACY"}, u.Username)
	factors = slices.DeleteFunc(factors, func(f string) bool { return f == firstSRP })
	if factors == nil {
		factors = []string{}
	}
	return &userAuthFactorsOutput{
		Username: u.Username, PreferredMfaSetting: mfa.PreferredMfaSetting, UserMFASettingList: mfa.UserMFASettingList,
		ConfiguredUserAuthFactors: factors,
	}
}
