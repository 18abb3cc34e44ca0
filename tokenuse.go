package cognitojwt

// TokenUse is the token_use claim Cognito puts in every token.
type TokenUse string

// Token uses.
const (
	AccessToken TokenUse = "access"
	IDToken     TokenUse = "id"
	// AnyToken accepts access and ID tokens alike; the client check then
	// follows each token's own token_use. Opt-in only: most APIs should
	// accept access tokens alone.
	AnyToken TokenUse = "any"
)
