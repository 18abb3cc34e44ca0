package cognitojwt_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cognitojwt/cognitojwt"
)

func ExampleBearerToken() {
	r := httptest.NewRequest(http.MethodGet, "/orders", nil)
	r.Header.Set("Authorization", "bearer eyJ0eXAi.eyJzdWIi.c2lnbmF0dXJl")
	token, err := cognitojwt.BearerToken(r)
	fmt.Println(token, err)

	// Another scheme is no token at all; characters a bearer token cannot
	// hold make the request itself invalid (400, not 401).
	r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	_, err = cognitojwt.BearerToken(r)
	fmt.Println(errors.Is(err, cognitojwt.ErrNoToken))
	r.Header.Set("Authorization", "Bearer not a token")
	_, err = cognitojwt.BearerToken(r)
	fmt.Println(errors.Is(err, cognitojwt.ErrInvalidRequest))
	// Output:
	// eyJ0eXAi.eyJzdWIi.c2lnbmF0dXJl <nil>
	// true
	// true
}

func ExampleHeaderToken() {
	// Behind an Application Load Balancer the access token arrives without
	// a scheme in a header of its own.
	source := cognitojwt.HeaderToken("X-Amzn-Oidc-Accesstoken")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Amzn-Oidc-Accesstoken", "eyJ0eXAi.eyJzdWIi.c2lnbmF0dXJl")
	token, err := source(r)
	fmt.Println(token, err)
	// Output:
	// eyJ0eXAi.eyJzdWIi.c2lnbmF0dXJl <nil>
}

func ExampleCookieToken() {
	source := cognitojwt.CookieToken("id_token")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	_, err := source(r)
	fmt.Println(errors.Is(err, cognitojwt.ErrNoToken))

	r.AddCookie(&http.Cookie{Name: "id_token", Value: "eyJ0eXAi.eyJzdWIi.c2lnbmF0dXJl"})
	token, err := source(r)
	fmt.Println(token, err)

	// Two cookies of one name: which one the browser meant is unknown.
	r.AddCookie(&http.Cookie{Name: "id_token", Value: "eyJvdGhlciI.eyJzdWIi.c2ln"})
	_, err = source(r)
	fmt.Println(errors.Is(err, cognitojwt.ErrInvalidRequest))
	// Output:
	// true
	// eyJ0eXAi.eyJzdWIi.c2lnbmF0dXJl <nil>
	// true
}

func ExampleWriteError() {
	// A handler that refuses by itself answers the way the middleware does.
	w := httptest.NewRecorder()
	cognitojwt.WriteError(w, cognitojwt.ErrNoToken, "orders")
	fmt.Println(w.Code)
	fmt.Println(w.Header().Get("WWW-Authenticate"))
	// Output:
	// 401
	// Bearer realm="orders"
}
