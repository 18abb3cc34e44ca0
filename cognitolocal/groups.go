package cognitolocal

import (
	"regexp"
	"slices"
	"time"
)

// The group model.

type group struct {
	Name         string    `json:"name"`
	Description  string    `json:"description,omitempty"`
	Precedence   *int64    `json:"precedence,omitempty"`
	RoleArn      string    `json:"roleArn,omitempty"`
	Created      time.Time `json:"created"`
	LastModified time.Time `json:"lastModified"`
}

// CreateGroup creates a group.
func (p *Pool) CreateGroup(name string) error {
	_, err := p.createGroup(group{Name: name})
	return err
}

func (p *Pool) createGroup(g group) (group, error) {
	if err := checkGroupFields(g); err != nil {
		return group{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.groups[g.Name]; dup {
		return group{}, apiErr(codeGroupExists, "A group with the name already exists.")
	}
	now := p.now()
	g.Created, g.LastModified = now, now
	p.groups[g.Name] = &g
	return g, nil
}

// AddUserToGroup adds username to group; tokens issued afterwards list it
// in cognito:groups.
func (p *Pool) AddUserToGroup(username, group string) error {
	return p.withGroup(username, group, func(u *user) {
		if !slices.Contains(u.Groups, group) {
			u.Groups = append(u.Groups, group)
		}
	})
}

// RemoveUserFromGroup removes username from group.
func (p *Pool) RemoveUserFromGroup(username, group string) error {
	return p.withGroup(username, group, func(u *user) {
		u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == group })
	})
}

// withGroup runs f under the lock once user and group are known to exist.
func (p *Pool) withGroup(username, group string, f func(*user)) error {
	return p.onUser(username, func(u *user) error {
		if p.groups[group] == nil {
			return errGroupNotFound
		}
		f(u)
		return nil
	})
}

// Group checks of CreateGroup and UpdateGroup (API reference,
// CreateGroup:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html).
var (
	groupNamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
	roleArnPattern   = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)
)

// maxPrecedence is the largest Precedence, 2^31-1.
const maxPrecedence = 1<<31 - 1

// checkGroupFields validates what a group may be set to.
func checkGroupFields(g group) error {
	if !groupNamePattern.MatchString(g.Name) {
		return apiErr(codeInvalidParameter, "GroupName must be 1 to 128 letters, marks, symbols, numbers or punctuation.")
	}
	if len(g.Description) > 2048 {
		return apiErr(codeInvalidParameter, "Description must be at most 2048 characters.")
	}
	if g.RoleArn != "" && (len(g.RoleArn) < 20 || len(g.RoleArn) > 2048 || !roleArnPattern.MatchString(g.RoleArn)) {
		return apiErr(codeInvalidParameter, "RoleArn is not an IAM role ARN.")
	}
	if g.Precedence != nil && (*g.Precedence < 0 || *g.Precedence > maxPrecedence) {
		return apiErr(codeInvalidParameter, "Precedence must be between 0 and 2147483647.")
	}
	return nil
}

// GroupUpdate is a change of a group: the members that are set replace
// the group's.
type GroupUpdate struct {
	Description *string
	RoleArn     *string
	Precedence  *int64
}

// UpdateGroup changes a group's description, role or precedence; tokens
// issued afterwards carry the new roles.
func (p *Pool) UpdateGroup(name string, up GroupUpdate) error {
	_, err := p.updateGroup(name, up)
	return err
}

func (p *Pool) updateGroup(name string, up GroupUpdate) (group, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.groups[name]
	if g == nil {
		return group{}, errGroupNotFound
	}
	next := *g
	if up.Description != nil {
		next.Description = *up.Description
	}
	if up.RoleArn != nil {
		next.RoleArn = *up.RoleArn
	}
	if up.Precedence != nil {
		v := *up.Precedence
		next.Precedence = &v
	}
	if err := checkGroupFields(next); err != nil {
		return group{}, err
	}
	next.LastModified = p.now()
	*g = next
	return next, nil
}

// DeleteGroup deletes a group and takes its members out of it; tokens
// issued afterwards no longer list it.
func (p *Pool) DeleteGroup(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.groups[name] == nil {
		return errGroupNotFound
	}
	delete(p.groups, name)
	for _, u := range p.users {
		u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == name })
	}
	return nil
}

// groupLocked returns a copy of the named group.
func (p *Pool) groupLocked(name string) (group, error) {
	g := p.groups[name]
	if g == nil {
		return group{}, errGroupNotFound
	}
	return *g, nil
}
