package cognitolocal

import (
	"net/http"
	"time"
)

// authCode is an issued authorization code, single use.
type authCode struct {
	ClientID    string    `json:"clientId"`
	RedirectURI string    `json:"redirectUri"`
	Username    string    `json:"username"`
	Scopes      []string  `json:"scopes"`
	Nonce       string    `json:"nonce,omitempty"`
	Challenge   string    `json:"challenge,omitempty"`
	Expires     time.Time `json:"expires"`
}

func (p *Pool) serveManagedLogin(w http.ResponseWriter, r *http.Request) {
	http.NotFound(w, r)
}
