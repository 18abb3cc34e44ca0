package cognitojwt_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

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
