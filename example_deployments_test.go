package cognitojwt_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// Two user pools behind one middleware; tokens of any other pool are
// refused before any key fetch.
func ExampleNewMulti() {
	staff, _ := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("us-east-1_Staff"))
	defer staff.Close()
	shop, _ := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("eu-west-1_Shop"))
	defer shop.Close()

	shopCfg := shop.Config("web")
	shopCfg.TokenUse = cognitojwt.IDToken
	mv, err := cognitojwt.NewMulti(staff.Config("staff-app"), shopCfg)
	if err != nil {
		panic(err)
	}
	h := cognitojwt.Middleware(mv)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		fmt.Fprint(w, c.Username)
	}))
	for _, tok := range []string{
		staff.AccessToken(cognitotest.WithClientID("staff-app"), cognitotest.WithUsername("sam")),
		shop.IDToken(cognitotest.WithClientID("web"), cognitotest.WithUsername("carol")),
		shop.AccessToken(cognitotest.WithClientID("web")), // the shop pool takes ID tokens only
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 sam
	// 200 carol
	// 401 {"error":"invalid_token","error_description":"The token is not of the accepted kind."}
}

// The extra issuer forms of a pool, accepted only when listed.
func ExampleUpdatedIssuerURL() {
	pool := "us-gov-west-1_AbC123"
	original, _ := cognitojwt.IssuerURL(pool)
	updated, _ := cognitojwt.UpdatedIssuerURL(pool)
	replica, _ := cognitojwt.ReplicaIssuerURL("us-gov-east-1", pool)
	fmt.Println(original)
	fmt.Println(updated)
	fmt.Println(replica)
	_, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID:        pool,
		ClientIDs:         []string{"1example23456789"},
		AdditionalIssuers: []string{updated},
	})
	fmt.Println(err)
	// Output:
	// https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123
	// https://issuer-cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123
	// https://cognito-idp.us-gov-east-1.amazonaws.com/us-gov-west-1_AbC123
	// <nil>
}

// Claims an HTTP API JWT authorizer passed to a Lambda integration.
func ExampleClaimsFromAPIGateway() {
	c, err := cognitojwt.ClaimsFromAPIGateway(map[string]string{
		"sub":            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"iss":            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
		"client_id":      "1example23456789",
		"token_use":      "access",
		"scope":          "orders/read orders/write",
		"exp":            "1750003600",
		"username":       "alice",
		"cognito:groups": "[admin users]",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Username, c.Groups, c.Scopes, c.ExpiresAt.Unix())
	fmt.Println(c.InGroup("admin"), cognitojwt.HasScope("orders/write")(c))
	// Output:
	// alice [admin users] [orders/read orders/write] 1750003600
	// true true
}

// The identity an Application Load Balancer forwards, verified with the
// ALB's public key (served here by a local stand-in for the regional key
// endpoint).
func ExampleNewALB() {
	f := newALBFixtureForExample()
	defer f.close()

	identity, err := cognitojwt.NewALB(cognitojwt.ALBConfig{
		ALBARNs:   []string{albARN},
		ClientIDs: []string{albClient},
		Issuer:    albIssuer,
		KeyURL:    f.keyURL, // omit in AWS: derived from the ARN's region
	})
	if err != nil {
		panic(err)
	}
	h := cognitojwt.Middleware(identity, cognitojwt.WithTokenSource(cognitojwt.ALBDataToken))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := cognitojwt.ClaimsFromContext(r.Context())
			fmt.Fprintf(w, "%s <%s> via %s", c.Username, c.Email, c.ClientID)
		}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Amzn-Oidc-Data", f.token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 200 alice <alice@example.com> via alb-client
}

type albExampleFixture struct {
	srv    *httptest.Server
	keyURL string
	token  string
}

func (f *albExampleFixture) close() { f.srv.Close() }

func newALBFixtureForExample() *albExampleFixture {
	priv := newP256()
	kid := newUUIDString()
	keys := &albKeyServer{pems: map[string][]byte{}, requests: map[string]int{}}
	keys.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys.mu.Lock()
		body := keys.pems[r.URL.Path[len("/keys/"):]]
		keys.mu.Unlock()
		if body == nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	keys.publish(kid, &priv.PublicKey)
	f := &albFixture{priv: priv, kid: kid, clk: &clock{t: time.Now()}}
	return &albExampleFixture{srv: keys.srv, keyURL: keys.template(), token: f.token(nil, nil)}
}
