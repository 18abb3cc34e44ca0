package cognitolocal

import "context"

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
	Groups []groupType `json:"Groups"`
}

func (p *Pool) adminListGroupsForUser(_ context.Context, in *poolUser) (*groupsOutput, error) {
	out := &groupsOutput{Groups: []groupType{}}
	return out, p.withUser(*in, func(u *user) error {
		for _, name := range u.Groups {
			if g := p.groups[name]; g != nil {
				out.Groups = append(out.Groups, p.groupType(*g))
			}
		}
		return nil
	})
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
