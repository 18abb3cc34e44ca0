package cognitojwt

import "net/http"

// Names that said any-of or all-of only in their documentation. They keep
// working, as the names they became.

// InGroup is InAnyGroup.
//
// Deprecated: use InAnyGroup, whose name says that one group suffices.
func InGroup(groups ...string) Policy { return InAnyGroup(groups...) }

// HasScope is HasAllScopes.
//
// Deprecated: use HasAllScopes, whose name says that every scope is needed.
func HasScope(scopes ...string) Policy { return HasAllScopes(scopes...) }

// RequireGroup is RequireAnyGroup.
//
// Deprecated: use RequireAnyGroup, whose name says that one group suffices.
func RequireGroup(groups ...string) func(http.Handler) http.Handler {
	return RequireAnyGroup(groups...)
}

// RequireScope is RequireAllScopes.
//
// Deprecated: use RequireAllScopes, whose name says that every scope is
// needed.
func RequireScope(scopes ...string) func(http.Handler) http.Handler {
	return RequireAllScopes(scopes...)
}
