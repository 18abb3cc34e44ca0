package web_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/web"
)

func ExampleNew() {
	auth, err := web.New(web.Config{
		Domain:      "https://auth.example.com",
		ClientID:    "1example23456789",
		RedirectURL: "https://app.example.com/callback",
		LogoutURL:   "https://app.example.com/",
		Verify:      cognitojwt.Config{UserPoolID: "eu-west-1_AbC123"},
		Keys:        [][]byte{web.NewKey()}, // in production: the same keys on every instance, from a secret store
	})
	if err != nil {
		log.Fatal(err)
	}
	account := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context()) // the ID token's claims
		fmt.Fprintln(w, "hello", c.Username)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /login", auth.Login())
	mux.Handle("GET /callback", auth.Callback())
	mux.Handle("/logout", auth.Logout())
	mux.Handle("GET /account", auth.Require(account))
	mux.Handle("GET /admin", auth.Require(authz.RequireAnyGroup("admin")(account)))
	fmt.Println("ready")
	// Output: ready
}

// Auth is an Authenticator: behind cognitojwt.MiddlewareFor it serves
// routes with options of the app's own, here JSON errors for an API that
// a single-page app calls with the session cookie. Require and Optional
// add the cross-origin check and sign-in redirects on top.
func ExampleAuth_Authenticate() {
	auth, err := web.New(web.Config{
		Domain:      "https://auth.example.com",
		ClientID:    "1example23456789",
		RedirectURL: "https://app.example.com/callback",
		LogoutURL:   "https://app.example.com/",
		Verify:      cognitojwt.Config{UserPoolID: "eu-west-1_AbC123"},
		Keys:        [][]byte{web.NewKey()},
	})
	if err != nil {
		log.Fatal(err)
	}
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, `{"user":%q}`, c.Username)
	})
	api := cognitojwt.MiddlewareFor(auth, cognitojwt.WithRealm("app"))
	mux := http.NewServeMux()
	mux.Handle("GET /api/me", http.NewCrossOriginProtection().Handler(api(me)))
	fmt.Println("ready")
	// Output: ready
}
