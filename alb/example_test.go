package alb_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
)

// The identity an Application Load Balancer forwards, verified with the
// ALB's public key (served here by a local stand-in for the regional key
// endpoint).
func ExampleNew() {
	f := newALBFixtureForExample()
	defer f.close()

	identity, err := alb.New(alb.Config{
		ALBARNs:   []string{albARN},
		ClientIDs: []string{albClient},
		Issuer:    albIssuer,
		KeyURL:    f.keyURL, // omit in AWS: derived from the ARN's region
	})
	if err != nil {
		panic(err)
	}
	h := cognitojwt.Middleware(identity, cognitojwt.WithTokenSource(alb.ForwardedDataToken))(
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
	f := &albFixture{priv: priv, kid: kid, clk: &depClock{t: time.Now()}}
	return &albExampleFixture{srv: keys.srv, keyURL: keys.template(), token: f.token(nil, nil)}
}
