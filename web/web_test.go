package web_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/web"
)

func TestNewRejectsBadConfig(t *testing.T) {
	good := web.Config{
		Domain: "https://auth.example", ClientID: "c", RedirectURL: "https://app.example/callback",
		LogoutURL: "https://app.example/", Verify: cognitojwt.Config{UserPoolID: "eu-west-1_Abc"},
		Keys: [][]byte{web.NewKey()},
	}
	_, err := web.New(good)
	require.NoError(t, err)
	for name, f := range map[string]func(*web.Config){
		"no domain":              func(c *web.Config) { c.Domain = "" },
		"http domain":            func(c *web.Config) { c.Domain = "http://auth.example" },
		"no client":              func(c *web.Config) { c.ClientID = "" },
		"http redirect":          func(c *web.Config) { c.RedirectURL = "http://app.example/callback" },
		"no logout url":          func(c *web.Config) { c.LogoutURL = "" },
		"no keys":                func(c *web.Config) { c.Keys = nil },
		"short key":              func(c *web.Config) { c.Keys = [][]byte{make([]byte, 16)} },
		"repeated key":           func(c *web.Config) { k := web.NewKey(); c.Keys = [][]byte{k, k} },
		"no pool":                func(c *web.Config) { c.Verify = cognitojwt.Config{} },
		"bad cookie name":        func(c *web.Config) { c.CookieName = "a b" },
		"remote login path":      func(c *web.Config) { c.LoginPath = "//evil/login" },
		"negative lifetime":      func(c *web.Config) { c.IdleTimeout = -time.Second },
		"bad trusted origin":     func(c *web.Config) { c.TrustedOrigins = []string{"not a url"} },
		"no openid scope":        func(c *web.Config) { c.Scopes = []string{"email"} },
		"negative store timeout": func(c *web.Config) { c.StoreTimeout = -time.Second },
	} {
		cfg := good
		f(&cfg)
		_, err := web.New(cfg)
		assert.Error(t, err, name)
	}
}

func TestNewRefusesVerifySettingsItWouldOverride(t *testing.T) {
	good := web.Config{
		Domain: "https://auth.example", ClientID: "c", RedirectURL: "https://app.example/callback",
		LogoutURL: "https://app.example/", Verify: cognitojwt.Config{UserPoolID: "eu-west-1_Abc"},
		Keys: [][]byte{web.NewKey()},
	}
	for name, f := range map[string]func(*cognitojwt.Config){
		"another client":    func(v *cognitojwt.Config) { v.ClientIDs = []string{"another"} },
		"a second client":   func(v *cognitojwt.Config) { v.ClientIDs = []string{"c", "another"} },
		"any client":        func(v *cognitojwt.Config) { v.AllowAnyClient = true },
		"one kind of token": func(v *cognitojwt.Config) { v.TokenUse = cognitojwt.AccessToken },
	} {
		cfg := good
		f(&cfg.Verify)
		_, err := web.New(cfg)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), "leave them unset", name)
		}
	}
	cfg := good
	cfg.Verify.ClientIDs = []string{"c"}
	_, err := web.New(cfg)
	assert.NoError(t, err, "ClientIDs naming ClientID alone is honoured")
}
