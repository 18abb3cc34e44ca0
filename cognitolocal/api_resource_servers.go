package cognitolocal

import "context"

// The resource-server operations. API reference, CreateResourceServer,
// DescribeResourceServer, ListResourceServers, UpdateResourceServer and
// DeleteResourceServer:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateResourceServer.html

// resourceServerScopeType is ResourceServerScopeType.
type resourceServerScopeType struct {
	ScopeName        string `json:"ScopeName"`
	ScopeDescription string `json:"ScopeDescription"`
}

// resourceServerType is ResourceServerType.
type resourceServerType struct {
	UserPoolID string                    `json:"UserPoolId"`
	Identifier string                    `json:"Identifier"`
	Name       string                    `json:"Name"`
	Scopes     []resourceServerScopeType `json:"Scopes"`
}

func (p *Pool) resourceServerType(rs ResourceServer) resourceServerType {
	out := resourceServerType{UserPoolID: p.poolID, Identifier: rs.Identifier, Name: rs.Name, Scopes: []resourceServerScopeType{}}
	for _, s := range rs.Scopes {
		out.Scopes = append(out.Scopes, resourceServerScopeType{ScopeName: s.Name, ScopeDescription: s.Description})
	}
	return out
}

type resourceServerInput struct {
	UserPoolID string                    `json:"UserPoolId"`
	Identifier string                    `json:"Identifier"`
	Name       string                    `json:"Name"`
	Scopes     []resourceServerScopeType `json:"Scopes"`
}

func (in *resourceServerInput) model() ResourceServer {
	rs := ResourceServer{Identifier: in.Identifier, Name: in.Name}
	for _, s := range in.Scopes {
		rs.Scopes = append(rs.Scopes, ResourceServerScope{Name: s.ScopeName, Description: s.ScopeDescription})
	}
	return rs
}

type resourceServerOutput struct {
	ResourceServer resourceServerType `json:"ResourceServer"`
}

func (p *Pool) createResourceServer(_ context.Context, in *resourceServerInput) (*resourceServerOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	rs := in.model()
	if err := p.CreateResourceServer(rs); err != nil {
		return nil, err
	}
	return &resourceServerOutput{ResourceServer: p.resourceServerType(rs)}, nil
}

func (p *Pool) updateResourceServer(_ context.Context, in *resourceServerInput) (*resourceServerOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	rs := in.model()
	if err := p.UpdateResourceServer(rs); err != nil {
		return nil, err
	}
	return &resourceServerOutput{ResourceServer: p.resourceServerType(rs)}, nil
}

type resourceServerIDInput struct {
	UserPoolID string `json:"UserPoolId"`
	Identifier string `json:"Identifier"`
}

func (p *Pool) describeResourceServer(_ context.Context, in *resourceServerIDInput) (*resourceServerOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	rs, ok := p.ResourceServer(in.Identifier)
	if !ok {
		return nil, errResourceServerNotFound
	}
	return &resourceServerOutput{ResourceServer: p.resourceServerType(rs)}, nil
}

func (p *Pool) deleteResourceServer(_ context.Context, in *resourceServerIDInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return &empty{}, p.DeleteResourceServer(in.Identifier)
}

type listResourceServersInput struct {
	UserPoolID string `json:"UserPoolId"`
	MaxResults *int   `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

type listResourceServersOutput struct {
	ResourceServers []resourceServerType `json:"ResourceServers"`
	NextToken       string               `json:"NextToken,omitempty"`
}

// listResourceServers pages by identifier, at most 50 a page.
func (p *Pool) listResourceServers(_ context.Context, in *listResourceServersInput) (*listResourceServersOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.MaxResults, 1, 50, "maxResults")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	all := make([]resourceServerType, 0, len(p.resourceServers))
	for _, rs := range p.resourceServers {
		all = append(all, p.resourceServerType(*rs))
	}
	p.mu.Unlock()
	page, next, err := pageOf(all, func(r resourceServerType) string { return r.Identifier }, limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &listResourceServersOutput{ResourceServers: page, NextToken: next}, nil
}
