package cognitolocal

import (
	"regexp"
	"slices"
	"strings"
)

// ResourceServer is a user-pool resource server: an API whose custom
// scopes app clients may be allowed, written "{Identifier}/{scope}".
type ResourceServer struct {
	// Identifier names the server, often its URL ("https://api.example.com")
	// or a short name ("orders").
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	// Scopes are the server's custom scopes.
	Scopes []ResourceServerScope `json:"scopes,omitempty"`
}

// ResourceServerScope is one custom scope of a resource server.
type ResourceServerScope struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Patterns and bounds of ResourceServerType and ResourceServerScopeType
// in botocore's model.
var (
	resourceIDPattern   = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
	resourceNamePattern = regexp.MustCompile(`^[\w\s+=,.@-]{1,256}$`)
	scopeNamePattern    = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)
)

const maxResourceScopes = 100

var errResourceServerNotFound = apiErr(codeResourceNotFound, "Resource server does not exist.")

// check validates rs as CreateResourceServer does.
func (rs *ResourceServer) check() error {
	if !resourceIDPattern.MatchString(rs.Identifier) {
		return apiErr(codeInvalidParameter, "Identifier must be 1 to 256 printable characters other than a quote or a backslash.")
	}
	if !resourceNamePattern.MatchString(rs.Name) {
		return apiErr(codeInvalidParameter, "Name must be 1 to 256 letters, digits, spaces or +=,.@-_ characters.")
	}
	if len(rs.Scopes) > maxResourceScopes {
		return apiErr(codeInvalidParameter, "A resource server has at most 100 scopes.")
	}
	seen := map[string]bool{}
	for _, s := range rs.Scopes {
		if !scopeNamePattern.MatchString(s.Name) {
			return apiErr(codeInvalidParameter, "ScopeName must be 1 to 256 printable characters other than a quote, a slash or a backslash.")
		}
		if s.Description == "" || len(s.Description) > 256 {
			return apiErr(codeInvalidParameter, "ScopeDescription must be 1 to 256 characters.")
		}
		if seen[s.Name] {
			return apiErr(codeInvalidParameter, "Scope names of a resource server must differ.")
		}
		seen[s.Name] = true
	}
	return nil
}

func cloneResourceServer(rs ResourceServer) ResourceServer {
	rs.Scopes = slices.Clone(rs.Scopes)
	return rs
}

// CreateResourceServer adds a resource server, so that app clients may
// be allowed its scopes.
func (p *Pool) CreateResourceServer(rs ResourceServer) error {
	rs = cloneResourceServer(rs)
	if err := rs.check(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resourceServers[rs.Identifier] != nil {
		// The docs do not name this refusal.
		return apiErr(codeInvalidParameter, "A resource server with this identifier already exists.")
	}
	p.resourceServers[rs.Identifier] = &rs
	return nil
}

// ResourceServer returns the resource server identifier.
func (p *Pool) ResourceServer(identifier string) (ResourceServer, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rs := p.resourceServers[identifier]
	if rs == nil {
		return ResourceServer{}, false
	}
	return cloneResourceServer(*rs), true
}

// UpdateResourceServer replaces the name and scopes of an existing
// resource server, as UpdateResourceServer does: scopes left out are
// gone.
func (p *Pool) UpdateResourceServer(rs ResourceServer) error {
	rs = cloneResourceServer(rs)
	if err := rs.check(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resourceServers[rs.Identifier] == nil {
		return errResourceServerNotFound
	}
	p.resourceServers[rs.Identifier] = &rs
	return nil
}

// DeleteResourceServer removes a resource server. App clients keep the
// scope names they were allowed; client-credentials requests for them
// fail, since no server defines them any more.
func (p *Pool) DeleteResourceServer(identifier string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resourceServers[identifier] == nil {
		return errResourceServerNotFound
	}
	delete(p.resourceServers, identifier)
	return nil
}

// standardScopes are the scopes every pool defines (API reference,
// CreateUserPoolClient, AllowedOAuthScopes).
var standardScopes = []string{"phone", "email", "openid", "profile", scopeAdmin}

// errScopeUnknown refuses an app client allowed a scope no resource
// server defines.
var errScopeUnknown = apiErr("ScopeDoesNotExistException", "Invalid scope requested.")

// checkScopesLocked checks that every scope is standard or defined by a
// resource server as "{identifier}/{name}" (API reference,
// CreateUserPoolClient: ScopeDoesNotExistException).
func (p *Pool) checkScopesLocked(scopes []string) error {
	for _, s := range scopes {
		if slices.Contains(standardScopes, s) {
			continue
		}
		if !p.definesScopeLocked(s) {
			return errScopeUnknown
		}
	}
	return nil
}

// definesScopeLocked reports whether a resource server defines scope.
// Identifiers may hold slashes, scope names may not: the name follows
// the last one.
func (p *Pool) definesScopeLocked(scope string) bool {
	i := strings.LastIndexByte(scope, '/')
	if i < 0 {
		return false
	}
	rs := p.resourceServers[scope[:i]]
	return rs != nil && slices.ContainsFunc(rs.Scopes, func(s ResourceServerScope) bool { return s.Name == scope[i+1:] })
}
