package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/web"
)

// discard is a ResponseWriter that keeps nothing, so the benchmark
// measures the session and not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkSessionRequest is the per-request cost of a session: reading
// the cookie, opening it (once per cookie value: later requests find it
// opened), verifying the ID token from the verifier's cache and putting the
// claims into the context. Tokens have Cognito's sizes (the refresh token
// is padded to 1.7 KB). The peer comparison in bench/ runs these modes.
//
//	cookie          the default: the session in cookies
//	cookie+access   the handler also asks for the access token, served
//	                from the opened session (one cache hit of its Verify)
//	store           a MemoryStore holds the session, the cookie its id
//	verify-hit      reference: one cache hit of the ID token's Verify,
//	                to compare with on a loaded machine
func BenchmarkSessionRequest(b *testing.B) {
	for _, mode := range []string{"cookie", "cookie+access", "store", "verify-hit"} {
		b.Run(mode, func(b *testing.B) {
			a := newApp(b, func(c *web.Config) {
				if mode == "store" {
					c.Store = &web.MemoryStore{}
				}
			})
			a.pool.refreshPad = 1700
			a.pool.signInAs("alice", "admin", "staff")
			a.signIn("/")
			req, err := http.NewRequest(http.MethodGet, a.srv.URL+"/account", nil)
			require.NoError(b, err)
			for _, c := range a.jar.Cookies(req.URL) {
				req.AddCookie(c)
			}
			var seen bool
			var idToken string
			h := a.auth.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, seen = cognitojwt.ClaimsFromContext(r.Context())
				a, _ := cognitojwt.AuthenticationFromContext(r.Context())
				idToken = a.Token
				if mode == "cookie+access" {
					_, seen = web.AccessToken(r.Context())
				}
			}))
			w := &discard{h: http.Header{}}
			h.ServeHTTP(w, req)
			require.True(b, seen, "the session is accepted")
			if mode == "verify-hit" {
				v := a.auth.IDTokenVerifier()
				h = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
					_, err := v.Verify(req.Context(), idToken)
					seen = err == nil
				})
			}
			b.ReportAllocs()
			start, cpuOK := cputime.Process()
			n := 0
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
				n++
			}
			b.StopTimer()
			b.ReportMetric(float64(len(req.Header.Get("Cookie"))), "cookie-bytes")
			if end, ok := cputime.Process(); ok && cpuOK {
				// The loop runs on one goroutine, but the process's CPU
				// time includes the collector's work on the other core.
				b.ReportMetric(float64(end-start)/float64(n), "cpu-ns/op")
			}
			require.True(b, seen)
			require.Empty(b, w.h.Values("Set-Cookie"), "no cookie is written on a plain request")
			if mode != "verify-hit" && cpuOK {
				b.ReportMetric(ratioToVerifyHit(h, w, req, a.auth.IDTokenVerifier(), idToken), "x-verify-hit")
			}
		})
	}
}

// ratioToVerifyHit measures the request against one cache hit of Verify
// in alternating rounds, so that both see the same load from other
// programs: on a shared machine the quotient holds where either figure
// alone moves.
func ratioToVerifyHit(h http.Handler, w *discard, req *http.Request, v *cognitojwt.Verifier, token string) float64 {
	const rounds, per = 20, 500
	var session, hit time.Duration
	for range rounds {
		t0, _ := cputime.Process()
		for range per {
			clear(w.h)
			h.ServeHTTP(w, req)
		}
		t1, _ := cputime.Process()
		for range per {
			_, _ = v.Verify(req.Context(), token)
		}
		t2, _ := cputime.Process()
		session += t1 - t0
		hit += t2 - t1
	}
	if hit <= 0 {
		return 0
	}
	return float64(session) / float64(hit)
}
