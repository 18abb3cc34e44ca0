package cognitojwt_test

// Benchmarks of the middleware: what it adds to a verification, cold and
// on a cache hit.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

// fixedVerifier stands in for Verify so the middleware's own cost shows.
type fixedVerifier struct{ claims *cognitojwt.Claims }

func (f fixedVerifier) Verify(context.Context, string) (*cognitojwt.Claims, error) {
	return f.claims, nil
}

// discardWriter is a ResponseWriter that costs nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

func (w *discardWriter) WriteHeader(int) {}

// BenchmarkMiddlewareOverhead is Middleware plus a RequireAnyGroup policy
// around a handler that does nothing, with Verify replaced by a stub: what
// the middleware adds to a request beyond verification. The request
// carries a real-sized token, since reading and checking the header is
// the middleware's job. A verifier of the caller's, as the stub is, brings
// its own claims, so the context value has no room for them (384 B); with
// the package's verifiers it holds their copy (704 B), which
// BenchmarkMiddlewareRepeated includes.
func BenchmarkMiddlewareOverhead(b *testing.B) {
	tok := benchTokens(b, 1)[0].raw
	claims := &cognitojwt.Claims{Subject: "s", TokenUse: cognitojwt.AccessToken, Groups: cognitojwt.NamesOf("admin", "editors")}
	var served int
	h := cognitojwt.Middleware(fixedVerifier{claims})(
		authz.RequireAnyGroup("admin")(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served++ })))
	r := httptest.NewRequest(http.MethodGet, "/reports", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for range b.N {
		h.ServeHTTP(w, r)
	}
	cpu.report(b)
	b.StopTimer()
	if served != b.N {
		b.Fatalf("handler ran %d times for %d requests", served, b.N)
	}
}

// BenchmarkMiddlewareRepeated is the whole request path for a returning
// client: middleware, policy and a cache hit in the real Verifier.
func BenchmarkMiddlewareRepeated(b *testing.B) {
	tok := benchTokens(b, 1)[0].raw
	v := newBenchVerifier(b, benchJWKS(b), 0)
	var served int
	h := cognitojwt.Middleware(v)(
		authz.RequireAnyGroup("admin")(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served++ })))
	r := httptest.NewRequest(http.MethodGet, "/reports", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for range b.N {
		h.ServeHTTP(w, r)
	}
	cpu.report(b)
	b.StopTimer()
	if served != b.N+1 {
		b.Fatalf("handler ran %d times for %d requests", served, b.N+1)
	}
}
