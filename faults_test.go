package cognitojwt_test

// Faults suite, the JWKS endpoint: outages at start and later, flapping,
// slow and hostile responses. Clocks are injected, so
// cooldowns and refresh intervals pass without sleeping.
// faults_load_test.go puts the fetcher under load.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
)

// livenessLimit bounds a wait for an event that must happen: until
// shortly before the test binary's -timeout (testwait.Limit), which no
// load on the machine reaches.
func livenessLimit(t testing.TB) time.Duration { return testwait.Limit(t) }

// slowFetchLimit is how long a Verify whose fetch gives up after 150ms may
// take before the test calls it stuck: far above the fetch timeout and
// the default one, and no bound on the wait itself.
const slowFetchLimit = 20 * time.Second

// fetchWatcher records finished JWKS fetches through Hooks.
type fetchWatcher struct {
	fetches chan cognitojwt.JWKSFetch
}

func newFetchWatcher() *fetchWatcher {
	return &fetchWatcher{fetches: make(chan cognitojwt.JWKSFetch, 1024)}
}

func (w *fetchWatcher) hook(c *cognitojwt.Config) {
	c.Hooks.OnJWKSFetch = func(f cognitojwt.JWKSFetch) { w.fetches <- f }
}

// next waits for the next fetch to finish.
func (w *fetchWatcher) next(t testing.TB) cognitojwt.JWKSFetch {
	t.Helper()
	select {
	case f := <-w.fetches:
		return f
	case <-time.After(livenessLimit(t)):
		t.Fatal("no JWKS fetch finished")
		return cognitojwt.JWKSFetch{}
	}
}

// faultEnv is an issuer whose JWKS endpoint a test breaks at will, and a
// verifier of its tokens on a stepped clock.
type faultEnv struct {
	clock   *clock
	iss     *cognitotest.Issuer
	v       *cognitojwt.Verifier
	watch   *fetchWatcher
	token   string // signed by the published pool key
	release chan struct{}
	once    sync.Once
}

func newFaultEnv(t *testing.T, edit func(*cognitojwt.Config)) *faultEnv {
	t.Helper()
	checkGoroutineLeaks(t)
	e := &faultEnv{clock: newClock(), watch: newFetchWatcher(), release: make(chan struct{})}
	e.iss = cognitotest.NewIssuer(t, cognitotest.WithClock(e.clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	// Registered after the issuer, so it runs before the server's Close
	// waits for handlers that block on release.
	t.Cleanup(e.unblock)
	e.v = newCorpusVerifier(t, e.iss, e.clock, func(c *cognitojwt.Config) {
		e.watch.hook(c)
		if edit != nil {
			edit(c)
		}
	})
	e.token = e.mint()
	return e
}

func (e *faultEnv) unblock() { e.once.Do(func() { close(e.release) }) }

// mint signs an access token that outlives every clock step of a test.
func (e *faultEnv) mint(opts ...cognitotest.TokenOption) string {
	return e.iss.AccessToken(append([]cognitotest.TokenOption{cognitotest.WithLifetime(1000 * time.Hour)}, opts...)...)
}

// blocking is a JWKS handler that answers nothing until released or the
// client goes away, then serves real keys.
func (e *faultEnv) blocking() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-e.release:
			_, _ = w.Write(e.iss.JWKS())
		case <-r.Context().Done():
		}
	})
}

func (e *faultEnv) verify(t testing.TB, token string, want error) {
	t.Helper()
	_, err := e.v.Verify(context.Background(), token)
	requireKind(t, want, err)
}

// faultDropConnection closes the connection without an answer, as a host that
// is down behind a load balancer does.
var faultDropConnection = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
})

func faultStatus(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
}

func faultBody(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) })
}

func TestJWKSDownAtStart(t *testing.T) {
	e := newFaultEnv(t, nil)
	e.iss.SetJWKSHandler(faultDropConnection)

	_, err := e.v.Verify(context.Background(), e.token)
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	var hint interface{ RetryAfter() time.Duration }
	if !errors.As(err, &hint) || hint.RetryAfter() < time.Second || hint.RetryAfter() > cognitojwt.DefaultRefetchCooldown {
		t.Fatalf("error %v carries no Retry-After hint within the cooldown", err)
	}
	if f := e.watch.next(t); f.Err == nil || f.Keys != 0 {
		t.Fatalf("fetch from a dead endpoint reported %+v", f)
	}
	res := serveProtected(e.v, []string{"Bearer " + e.token}, nil)
	assertRejection(t, res, http.StatusServiceUnavailable, secretsOf(e.token))
	if got := res.rec.Header().Get("Retry-After"); got != strconv.Itoa(int(cognitojwt.DefaultRefetchCooldown/time.Second)) {
		t.Fatalf("Retry-After %q right after the failed fetch", got)
	}

	// The endpoint is back, but the cooldown holds: no request hammers it.
	e.iss.SetJWKSHandler(nil)
	e.clock.Advance(cognitojwt.DefaultRefetchCooldown / 2)
	res = serveProtected(e.v, []string{"Bearer " + e.token}, nil)
	assertRejection(t, res, http.StatusServiceUnavailable, secretsOf(e.token))
	if got := res.rec.Header().Get("Retry-After"); got != "5" {
		t.Fatalf("Retry-After %q halfway through the cooldown", got)
	}
	if n := e.iss.JWKSFetches(); n != 1 {
		t.Fatalf("%d fetches within one cooldown", n)
	}

	e.clock.Advance(cognitojwt.DefaultRefetchCooldown / 2)
	e.verify(t, e.token, nil)
	if n := e.iss.JWKSFetches(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

func TestJWKSUnreachableAtStart(t *testing.T) {
	checkGoroutineLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/jwks.json"
	ln.Close()
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, func(c *cognitojwt.Config) { c.JWKSURL = closedURL })
	token := iss.AccessToken()
	if err := v.Warm(context.Background()); !errors.Is(err, cognitojwt.ErrKeysUnavailable) {
		t.Fatalf("Warm against a closed port: %v", err)
	}
	res := serveProtected(v, []string{"Bearer " + token}, nil)
	assertRejection(t, res, http.StatusServiceUnavailable, secretsOf(token))
}

func TestJWKSDownAfterFirstFetch(t *testing.T) {
	faults := map[string]http.Handler{
		"connection dropped":  faultDropConnection,
		"HTTP 500":            faultStatus(http.StatusInternalServerError),
		"HTTP 404":            faultStatus(http.StatusNotFound),
		"HTTP 429":            faultStatus(http.StatusTooManyRequests),
		"not JSON":            faultBody("<html>maintenance</html>"),
		"empty key set":       faultBody(`{"keys":[]}`),
		"only unusable keys":  faultBody(`{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}`),
		"private key members": faultBody(`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB","d":"AQAB"}]}`),
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t, nil)
			if err := e.v.Warm(context.Background()); err != nil {
				t.Fatal(err)
			}
			e.watch.next(t)
			unpublished := e.mint(cognitotest.WithKey(sharedKey(t, "second")))
			e.iss.SetJWKSHandler(fault)
			// Past the refresh interval: the next request starts a
			// background refresh, which fails.
			e.clock.Advance(cognitojwt.DefaultRefreshInterval + time.Second)
			e.verify(t, e.token, nil)
			if f := e.watch.next(t); f.Err == nil {
				t.Fatalf("refresh reported success: %+v", f)
			}
			// The last good keys keep serving. An unknown kid cannot be
			// judged while the fetch that would find it fails: it may be
			// a key published during the outage, so it is an outage (503
			// with Retry-After), not an invalid token.
			e.verify(t, e.token, nil)
			res := serveProtected(e.v, []string{"Bearer " + e.token}, nil)
			if !res.reached {
				t.Fatalf("valid token refused with %d while the endpoint is down", res.rec.Code)
			}
			e.verify(t, unpublished, cognitojwt.ErrKeysUnavailable)
			res = serveProtected(e.v, []string{"Bearer " + unpublished}, nil)
			assertRejection(t, res, http.StatusServiceUnavailable, secretsOf(unpublished))
			if res.rec.Header().Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
		})
	}
}

// TestJWKSFlapping fetches, round after round, from an endpoint that fails
// two requests in three in different ways, while the pool rotates its key
// halfway: a valid token is never refused once keys were obtained, and the
// new key works from the first successful fetch after it was published.
func TestJWKSFlapping(t *testing.T) {
	e := newFaultEnv(t, nil)
	var requests atomic.Int64
	e.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch requests.Add(1) % 3 {
		case 0:
			_, _ = w.Write(e.iss.JWKS())
		case 1:
			faultDropConnection(w, r)
		default:
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	var rotated string
	var published, gotKeys, gotRotated bool
	var successes int
	for round := range 30 {
		e.clock.Advance(cognitojwt.DefaultRefreshInterval + time.Second)
		// Warm waits for its fetch, so each round sees one whole fetch.
		err := e.v.Warm(context.Background())
		f := e.watch.next(t)
		if (err == nil) != (f.Err == nil) {
			t.Fatalf("round %d: Warm %v, fetch %v", round, err, f.Err)
		}
		if err == nil {
			successes++
			gotKeys = true
			gotRotated = gotRotated || published
		}
		if !gotKeys {
			e.verify(t, e.token, cognitojwt.ErrKeysUnavailable)
			continue
		}
		e.verify(t, e.token, nil)
		if gotRotated {
			e.verify(t, rotated, nil)
		}
		if round == 10 {
			e.iss.AddKey(sharedKey(t, "second"), true)
			rotated = e.mint()
			published = true
		}
	}
	if successes < 5 || successes > 25 || !gotRotated {
		t.Fatalf("%d successful fetches of 30, rotated key seen: %v", successes, gotRotated)
	}
}

func TestJWKSSlowEndpoint(t *testing.T) {
	t.Run("no answer within the fetch timeout", func(t *testing.T) {
		e := newFaultEnv(t, func(c *cognitojwt.Config) { c.FetchTimeout = 150 * time.Millisecond })
		e.iss.SetJWKSHandler(e.blocking())
		start := time.Now()
		_, err := e.v.Verify(context.Background(), e.token)
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		// The handler is still blocked: the request gave up on its own.
		if elapsed := time.Since(start); elapsed > slowFetchLimit {
			t.Fatalf("Verify waited %v for a fetch with a 150ms timeout", elapsed)
		}
		if f := e.watch.next(t); f.Err == nil {
			t.Fatal("timed-out fetch reported success")
		}
	})
	t.Run("body trickles", func(t *testing.T) {
		e := newFaultEnv(t, func(c *cognitojwt.Config) { c.FetchTimeout = 150 * time.Millisecond })
		e.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			_, _ = io.WriteString(w, `{"keys":[`)
			_ = rc.Flush()
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-e.release:
					return
				case <-tick.C:
					if _, err := io.WriteString(w, " "); err != nil || rc.Flush() != nil {
						return
					}
				}
			}
		}))
		_, err := e.v.Verify(context.Background(), e.token)
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		e.watch.next(t)
		assertRejection(t, serveProtected(e.v, []string{"Bearer " + e.token}, nil), http.StatusServiceUnavailable, secretsOf(e.token))
	})
	t.Run("caller gives up before the fetch timeout", func(t *testing.T) {
		e := newFaultEnv(t, func(c *cognitojwt.Config) { c.FetchTimeout = time.Minute })
		e.iss.SetJWKSHandler(e.blocking())
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := e.v.Verify(ctx, e.token)
		requireKind(t, cognitojwt.ErrCanceled, err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%v does not wrap the context's error", err)
		}
		// The fetch goes on for the other callers and completes.
		e.unblock()
		if f := e.watch.next(t); f.Err != nil {
			t.Fatalf("fetch failed after the caller left: %v", f.Err)
		}
		e.verify(t, e.token, nil)
		if n := e.iss.JWKSFetches(); n != 1 {
			t.Fatalf("%d fetches, want the one the first caller started", n)
		}
	})
	t.Run("known keys never wait for a slow refresh", func(t *testing.T) {
		e := newFaultEnv(t, nil)
		if err := e.v.Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.watch.next(t)
		e.iss.SetJWKSHandler(e.blocking())
		e.clock.Advance(cognitojwt.DefaultRefreshInterval + time.Second)
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() { e.verify(t, e.token, nil) })
		}
		wg.Wait() // all returned while the refresh is still blocked
		e.unblock()
		if f := e.watch.next(t); f.Err != nil {
			t.Fatalf("refresh: %v", f.Err)
		}
	})
}

func TestJWKSHostileResponses(t *testing.T) {
	t.Run("30 MB body", func(t *testing.T) {
		var written atomic.Int64
		e := newFaultEnv(t, nil)
		e.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Streamed from one small buffer: the test never holds 30 MB.
			chunk := []byte(strings.Repeat(" ", 64<<10))
			_, _ = io.WriteString(w, `{"keys":[`)
			for written.Load() < 30<<20 {
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		}))
		e.verify(t, e.token, cognitojwt.ErrKeysUnavailable)
		if f := e.watch.next(t); f.Err == nil || !strings.Contains(f.Err.Error(), "larger than") {
			t.Fatalf("fetch of 30 MB: %+v", f)
		}
		if n := written.Load(); n >= 30<<20 {
			t.Fatalf("the verifier read the whole %d-byte body", n)
		}
	})
	t.Run("redirect to another host", func(t *testing.T) {
		var visits atomic.Int64
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			visits.Add(1)
		}))
		defer other.Close()
		e := newFaultEnv(t, nil)
		otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
		for _, target := range []string{other.URL + "/jwks.json", otherURL + "/jwks.json"} {
			e.iss.SetJWKSHandler(http.RedirectHandler(target, http.StatusFound))
			e.clock.Advance(cognitojwt.DefaultRefetchCooldown)
			e.verify(t, e.token, cognitojwt.ErrKeysUnavailable)
			e.watch.next(t)
		}
		if n := visits.Load(); n != 0 {
			t.Fatalf("the other host was visited %d times", n)
		}
	})
	t.Run("redirect on the same host is followed", func(t *testing.T) {
		e := newFaultEnv(t, nil)
		e.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("moved") == "" {
				http.Redirect(w, r, r.URL.Path+"?moved=1", http.StatusMovedPermanently)
				return
			}
			_, _ = w.Write(e.iss.JWKS())
		}))
		e.verify(t, e.token, nil)
	})
	t.Run("redirect loop", func(t *testing.T) {
		e := newFaultEnv(t, nil)
		e.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}))
		e.verify(t, e.token, cognitojwt.ErrKeysUnavailable)
		e.watch.next(t)
		if n := e.iss.JWKSFetches(); n > 4 {
			t.Fatalf("followed %d redirects", n-1)
		}
	})
	t.Run("redirect from https to http", func(t *testing.T) {
		checkGoroutineLeaks(t)
		iss := cognitotest.NewIssuer(t, cognitotest.WithSigningKey(*sharedKey(t, "pool")))
		var plainVisits atomic.Int64
		tlsServer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.TLS == nil {
				plainVisits.Add(1)
				return
			}
			// Same host and port, scheme downgraded.
			http.Redirect(w, r, "http://"+r.Host+"/plain", http.StatusFound)
		}))
		tlsServer.StartTLS()
		defer tlsServer.Close()
		cfg := iss.Config(cognitotest.DefaultClientID)
		cfg.JWKSURL = tlsServer.URL + "/jwks.json"
		cfg.HTTPClient = tlsServer.Client()
		v, err := cognitojwt.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Warm(context.Background()); !errors.Is(err, cognitojwt.ErrKeysUnavailable) || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("downgrade redirect: %v", err)
		}
		if plainVisits.Load() != 0 {
			t.Fatal("plain http was visited")
		}
	})
	for _, code := range []int{http.StatusInternalServerError, http.StatusNotFound, http.StatusForbidden, http.StatusNoContent, http.StatusNotModified} {
		t.Run(fmt.Sprintf("HTTP %d", code), func(t *testing.T) {
			e := newFaultEnv(t, nil)
			e.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(code)
				_, _ = w.Write(e.iss.JWKS()) // a body the status disowns
			}))
			e.verify(t, e.token, cognitojwt.ErrKeysUnavailable)
			if f := e.watch.next(t); f.Status != code || f.Err == nil {
				t.Fatalf("fetch %+v", f)
			}
			assertRejection(t, serveProtected(e.v, []string{"Bearer " + e.token}, nil), http.StatusServiceUnavailable, secretsOf(e.token))
		})
	}
}
