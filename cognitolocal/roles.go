package cognitolocal

import (
	"cmp"
	"slices"
)

// The IAM roles of a user's groups, as ID tokens carry them in
// cognito:roles and cognito:preferred_role. CreateGroup's Precedence
// (API reference, CreateGroup:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html):
// zero is the highest precedence; lower values take precedence over
// higher or null ones; the group that takes precedence gives
// cognito:preferred_role; two groups of equal precedence with different
// role ARNs leave cognito:preferred_role unset, with the same ARN they
// set it. The docs do not fix the order of cognito:roles: the pool lists
// each ARN once, by precedence, then by group name.

// snapshotLocked is u's snapshot with its groups' roles.
func (p *Pool) snapshotLocked(u *user) snapshot {
	s := u.snapshot()
	s.roles, s.preferredRole = p.rolesLocked(u.Groups)
	return s
}

// rolesLocked returns the role ARNs of the named groups and the
// preferred one ("" when none or when precedence does not decide).
func (p *Pool) rolesLocked(names []string) (roles []string, preferred string) {
	var gs []*group
	for _, n := range names {
		if g := p.groups[n]; g != nil && g.RoleArn != "" {
			gs = append(gs, g)
		}
	}
	if len(gs) == 0 {
		return nil, ""
	}
	slices.SortFunc(gs, func(a, b *group) int {
		if c := comparePrecedence(a.Precedence, b.Precedence); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for _, g := range gs {
		if !slices.Contains(roles, g.RoleArn) {
			roles = append(roles, g.RoleArn)
		}
	}
	preferred = gs[0].RoleArn
	for _, g := range gs[1:] {
		if comparePrecedence(g.Precedence, gs[0].Precedence) == 0 && g.RoleArn != preferred {
			return roles, ""
		}
	}
	return roles, preferred
}

// comparePrecedence orders precedences: lower values first, null last.
func comparePrecedence(a, b *int64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*a, *b)
}
