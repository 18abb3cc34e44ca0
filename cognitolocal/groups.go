package cognitolocal

import (
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
	if g.Name == "" || len(g.Name) > 128 {
		return group{}, apiErr(codeInvalidParameter, "GroupName must be 1 to 128 characters.")
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
