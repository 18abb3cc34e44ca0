package cognitolocal

import (
	"context"
	"slices"
)

// The JSON API operations on groups and memberships.

// groupType is GroupType.
type groupType struct {
	GroupName        string `json:"GroupName"`
	UserPoolID       string `json:"UserPoolId"`
	Description      string `json:"Description,omitempty"`
	RoleArn          string `json:"RoleArn,omitempty"`
	Precedence       *int64 `json:"Precedence,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
}

func (p *Pool) groupType(g group) groupType {
	return groupType{
		GroupName: g.Name, UserPoolID: p.poolID, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: g.Precedence, LastModifiedDate: epochOf(g.LastModified), CreationDate: epochOf(g.Created),
	}
}

type userGroupInput struct {
	poolUser
	GroupName string `json:"GroupName"`
}

// userGroupOp is an Admin operation that is a Go administration method of
// a username and a group.
func userGroupOp(f func(p *Pool, username, group string) error) apiOp {
	return op(func(p *Pool, _ context.Context, in *userGroupInput) (*empty, error) {
		if err := p.checkPool(in.UserPoolID); err != nil {
			return nil, err
		}
		return &empty{}, f(p, in.Username, in.GroupName)
	})
}

type groupsOutput struct {
	Groups    []groupType `json:"Groups"`
	NextToken string      `json:"NextToken,omitempty"`
}

type listGroupsForUserInput struct {
	poolUser
	Limit     *int   `json:"Limit"`
	NextToken string `json:"NextToken"`
}

// adminListGroupsForUser pages a user's groups by name, 0 to 60 a page
// (API reference, AdminListGroupsForUser).
func (p *Pool) adminListGroupsForUser(_ context.Context, in *listGroupsForUserInput) (*groupsOutput, error) {
	limit, err := pageLimit(in.Limit, 0, 60, "limit")
	if err != nil {
		return nil, err
	}
	var all []groupType
	if err := p.withUser(in.poolUser, func(u *user) error {
		for _, name := range u.Groups {
			if g := p.groups[name]; g != nil {
				all = append(all, p.groupType(*g))
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return pageGroups(all, limit, in.NextToken)
}

func pageGroups(all []groupType, limit int, token string) (*groupsOutput, error) {
	page, next, err := pageOf(all, func(g groupType) string { return g.GroupName }, limit, token)
	if err != nil {
		return nil, err
	}
	return &groupsOutput{Groups: append([]groupType{}, page...), NextToken: next}, nil
}

// listLimit checks the pool a list of users or groups names and its page
// size, 0 to 60 for ListUsers, ListGroups and ListUsersInGroup alike.
func (p *Pool) listLimit(poolID string, limit *int) (int, error) {
	if err := p.checkPool(poolID); err != nil {
		return 0, err
	}
	return pageLimit(limit, 0, 60, "limit")
}

type listGroupsInput struct {
	UserPoolID string `json:"UserPoolId"`
	Limit      *int   `json:"Limit"`
	NextToken  string `json:"NextToken"`
}

// listGroups pages the pool's groups by name, 0 to 60 a page (API
// reference, ListGroups).
func (p *Pool) listGroups(_ context.Context, in *listGroupsInput) (*groupsOutput, error) {
	limit, err := p.listLimit(in.UserPoolID, in.Limit)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	all := make([]groupType, 0, len(p.groups))
	for _, g := range p.groups {
		all = append(all, p.groupType(*g))
	}
	p.mu.Unlock()
	return pageGroups(all, limit, in.NextToken)
}

type groupNameInput struct {
	UserPoolID string `json:"UserPoolId"`
	GroupName  string `json:"GroupName"`
}

// getGroup describes a group (API reference, GetGroup).
func (p *Pool) getGroup(_ context.Context, in *groupNameInput) (*groupOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	p.mu.Lock()
	g, err := p.groupLocked(in.GroupName)
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &groupOutput{Group: p.groupType(g)}, nil
}

type updateGroupInput struct {
	UserPoolID  string  `json:"UserPoolId"`
	GroupName   string  `json:"GroupName"`
	Description *string `json:"Description"`
	RoleArn     *string `json:"RoleArn"`
	Precedence  *int64  `json:"Precedence"`
}

// updateGroup changes the members the request sets and keeps the others:
// the API reference of UpdateGroup "updates any of the properties for
// precedence, IAM role, or description" given (older versions of the
// page said that omitted ones return to their defaults).
func (p *Pool) updateGroupOp(_ context.Context, in *updateGroupInput) (*groupOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	g, err := p.updateGroup(in.GroupName, GroupUpdate{Description: in.Description, RoleArn: in.RoleArn, Precedence: in.Precedence})
	if err != nil {
		return nil, err
	}
	return &groupOutput{Group: p.groupType(g)}, nil
}

// deleteGroup deletes a group (API reference, DeleteGroup).
func (p *Pool) deleteGroup(_ context.Context, in *groupNameInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return &empty{}, p.DeleteGroup(in.GroupName)
}

type listUsersInGroupInput struct {
	UserPoolID string `json:"UserPoolId"`
	GroupName  string `json:"GroupName"`
	Limit      *int   `json:"Limit"`
	NextToken  string `json:"NextToken"`
}

type listUsersInGroupOutput struct {
	Users     []userType `json:"Users"`
	NextToken string     `json:"NextToken,omitempty"`
}

// listUsersInGroup pages a group's members by username, 0 to 60 a page
// (API reference, ListUsersInGroup).
func (p *Pool) listUsersInGroup(_ context.Context, in *listUsersInGroupInput) (*listUsersInGroupOutput, error) {
	limit, err := p.listLimit(in.UserPoolID, in.Limit)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	var all []userType
	_, err = p.groupLocked(in.GroupName)
	if err == nil {
		for _, u := range p.users {
			if slices.Contains(u.Groups, in.GroupName) {
				all = append(all, u.userType())
			}
		}
	}
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	page, next, err := pageUsers(all, limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &listUsersInGroupOutput{Users: page, NextToken: next}, nil
}

type createGroupInput struct {
	GroupName   string `json:"GroupName"`
	UserPoolID  string `json:"UserPoolId"`
	Description string `json:"Description"`
	RoleArn     string `json:"RoleArn"`
	Precedence  *int64 `json:"Precedence"`
}

type groupOutput struct {
	Group groupType `json:"Group"`
}

func (p *Pool) createGroupOp(_ context.Context, in *createGroupInput) (*groupOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	g, err := p.createGroup(group{Name: in.GroupName, Description: in.Description, RoleArn: in.RoleArn, Precedence: in.Precedence})
	if err != nil {
		return nil, err
	}
	return &groupOutput{Group: p.groupType(g)}, nil
}
