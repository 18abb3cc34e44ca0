package cognitojwt_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/internal/testpanic"
)

func TestJWKSFetchedLazilyOnce(t *testing.T) {
	var watch fetchWatch
	f := newFixture(t, func(c *cognitojwt.Config) { watch = watchFetches(c) })
	require.Zero(t, f.iss.JWKSFetches())

	for range 3 {
		_, err := f.verify(f.iss.AccessToken())
		require.NoError(t, err)
	}
	require.Equal(t, 1, f.iss.JWKSFetches())
	got := watch.next(t)
	require.Equal(t, f.iss.JWKSURL(), got.URL)
	require.Equal(t, http.StatusOK, got.Status)
	require.Equal(t, 1, got.Keys)
	require.NoError(t, got.Err)
}

func TestJWKSWarm(t *testing.T) {
	t.Run("fetches once up front", func(t *testing.T) {
		f := newFixture(t, nil)
		require.NoError(t, f.v.Warm(context.Background()))
		require.Equal(t, 1, f.iss.JWKSFetches())
		_, err := f.verify(f.iss.AccessToken())
		require.NoError(t, err)
		require.Equal(t, 1, f.iss.JWKSFetches())
	})
	t.Run("reports an unreachable key set", func(t *testing.T) {
		f := newFixture(t, nil)
		f.iss.SetJWKSHandler(serveStatus(http.StatusInternalServerError))
		requireKind(t, cognitojwt.ErrKeysUnavailable, f.v.Warm(context.Background()))
	})
	t.Run("reports a key set without usable keys", func(t *testing.T) {
		f := newFixture(t, nil)
		weak := jwkOf(primaryKey())
		weak["use"] = "enc"
		f.iss.SetJWKSHandler(serveBytes(jwksDoc(weak)))
		requireKind(t, cognitojwt.ErrKeysUnavailable, f.v.Warm(context.Background()))
	})
}

func TestJWKSStaleKeysServeWhenFetchFails(t *testing.T) {
	var cooldowns atomic.Int64
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.RefetchCooldown = time.Second
		c.RefreshInterval = time.Minute
		c.Hooks.OnCooldown = func() { cooldowns.Add(1) }
	})
	known := f.iss.AccessToken()
	require.NoError(t, f.v.Warm(context.Background()))
	f.iss.SetJWKSHandler(serveStatus(http.StatusInternalServerError))

	f.clk.Advance(time.Second)
	_, err := f.verify(f.iss.AccessToken(cognitotest.WithKey(spareKey())))
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	require.Equal(t, 2, f.iss.JWKSFetches())
	_, err = f.verify(known)
	require.NoError(t, err)

	// Past the refresh interval the failing refresh must not disturb
	// verification, nor count as a cooldown for a kid that is known.
	f.clk.Advance(time.Minute)
	for range 5 {
		_, err = f.verify(f.iss.AccessToken())
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return f.iss.JWKSFetches() == 3 }, livenessLimit(t), time.Millisecond)
	for range 5 {
		_, err = f.verify(f.iss.AccessToken())
		require.NoError(t, err)
	}
	require.Equal(t, 3, f.iss.JWKSFetches())
	require.Zero(t, cooldowns.Load(), "a refresh held back by the cooldown is no unknown-kid cooldown")
}

func TestJWKSNoKeysEver(t *testing.T) {
	var cooldowns atomic.Int64
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.Hooks.OnCooldown = func() { cooldowns.Add(1) }
	})
	f.iss.SetJWKSHandler(serveStatus(http.StatusServiceUnavailable))
	token := f.iss.AccessToken()

	_, err := f.verify(token)
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	var hint interface{ RetryAfter() time.Duration }
	require.True(t, errors.As(err, &hint))
	require.Equal(t, cognitojwt.DefaultRefetchCooldown, hint.RetryAfter())
	require.Contains(t, err.Error(), "HTTP 503", "the cause is kept for logs")

	// Within the cooldown: fail fast, no fetch, a shrinking hint.
	f.clk.Advance(4 * time.Second)
	_, err = f.verify(token)
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	require.True(t, errors.As(err, &hint))
	require.Equal(t, 6*time.Second, hint.RetryAfter())
	require.Equal(t, 1, f.iss.JWKSFetches())
	require.Equal(t, int64(1), cooldowns.Load())

	// Recovery once the cooldown has passed.
	f.iss.SetJWKSHandler(nil)
	f.clk.Advance(6*time.Second - time.Millisecond)
	_, err = f.verify(token)
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	f.clk.Advance(time.Millisecond)
	_, err = f.verify(token)
	require.NoError(t, err)
	require.Equal(t, 2, f.iss.JWKSFetches())
}

func TestJWKSBackgroundRefresh(t *testing.T) {
	var watch fetchWatch
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.RefreshInterval = time.Minute
		watch = watchFetches(c)
	})
	old := f.iss.AccessToken()
	_, err := f.verify(old)
	require.NoError(t, err)
	watch.next(t)

	// Rotate and withdraw the old key; the next fetch will hang until
	// released, to show that requests do not wait for it.
	f.iss.AddKey(thirdKey(), true)
	f.iss.RemoveKey(primaryKey().KeyID)
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	f.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		serveBytes(f.iss.JWKS())(w, r)
	}))

	f.clk.Advance(59 * time.Second)
	_, err = f.verify(old)
	require.NoError(t, err)
	require.Equal(t, 1, f.iss.JWKSFetches(), "no refresh before the interval")

	f.clk.Advance(time.Second)
	_, err = f.verify(old)
	require.NoError(t, err, "the old key serves while the refresh runs")
	select {
	case <-entered:
	case <-time.After(livenessLimit(t)):
		t.Fatal("no background refresh started")
	}
	_, err = f.verify(old)
	require.NoError(t, err)

	close(release)
	got := watch.next(t)
	require.NoError(t, got.Err)
	require.Equal(t, 1, got.Keys)

	// The withdrawn kid is unknown now: it refetches once (the refresh
	// opened no cooldown), and that fetch holds back the next ones.
	for range 3 {
		_, err = f.verify(old)
		requireKind(t, cognitojwt.ErrUnknownKey, err)
	}
	require.Equal(t, 3, f.iss.JWKSFetches())
	c, err := f.verify(f.iss.AccessToken())
	require.NoError(t, err)
	require.Equal(t, thirdKey().KeyID, c.KeyID)
	require.Equal(t, 3, f.iss.JWKSFetches())
}

func TestJWKSFetchFailures(t *testing.T) {
	good := jwksDoc(jwkOf(primaryKey()))
	other := httptest.NewServer(serveBytes(good))
	defer other.Close()
	var otherHits atomic.Int64
	other.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		serveBytes(good)(w, r)
	})

	tests := []struct {
		name    string
		handler http.Handler
		edit    func(*cognitojwt.Config)
		status  int
	}{
		{"HTTP 500", serveStatus(http.StatusInternalServerError), nil, 500},
		{"HTTP 404", serveStatus(http.StatusNotFound), nil, 404},
		{"HTTP 204", serveStatus(http.StatusNoContent), nil, 204},
		{"body over MaxJWKSSize", serveBytes(good), func(c *cognitojwt.Config) { c.MaxJWKSSize = int64(len(good) - 1) }, 200},
		{"not JSON", serveBytes([]byte("<html>")), nil, 200},
		{"array document", serveBytes([]byte(`[]`)), nil, 200},
		{"no keys member", serveBytes([]byte(`{}`)), nil, 200},
		{"keys not an array", serveBytes([]byte(`{"keys":{}}`)), nil, 200},
		{"keys null", serveBytes([]byte(`{"keys":null}`)), nil, 200},
		{"empty key list", serveBytes([]byte(`{"keys":[]}`)), nil, 200},
		{"keys listed twice", serveBytes([]byte(`{"keys":[],"keys":` + string(good[8:len(good)-1]) + `}`)), nil, 200},
		{"redirect to another host", http.RedirectHandler(other.URL+"/jwks.json", http.StatusFound), nil, 0},
		{"hangs past FetchTimeout", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}), func(c *cognitojwt.Config) { c.FetchTimeout = 100 * time.Millisecond }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var watch fetchWatch
			f := newFixture(t, func(c *cognitojwt.Config) {
				watch = watchFetches(c)
				if tt.edit != nil {
					tt.edit(c)
				}
			})
			f.iss.SetJWKSHandler(tt.handler)
			_, err := f.verify(f.iss.AccessToken())
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
			got := watch.next(t)
			require.Error(t, got.Err)
			require.Equal(t, tt.status, got.Status)
			require.Zero(t, got.Keys)
		})
	}
	require.Zero(t, otherHits.Load(), "a redirect off the JWKS host must not be followed")
}

func TestJWKSSizeLimitBoundary(t *testing.T) {
	doc := jwksDoc(jwkOf(primaryKey()))
	f := newFixture(t, func(c *cognitojwt.Config) { c.MaxJWKSSize = int64(len(doc)) })
	f.iss.SetJWKSHandler(serveBytes(doc))
	_, err := f.verify(f.iss.AccessToken())
	require.NoError(t, err)
}

func TestJWKSRedirects(t *testing.T) {
	t.Run("same host is followed", func(t *testing.T) {
		f := newFixture(t, nil)
		f.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("moved") == "" {
				http.Redirect(w, r, f.iss.JWKSURL()+"?moved=1", http.StatusMovedPermanently)
				return
			}
			serveBytes(f.iss.JWKS())(w, r)
		}))
		_, err := f.verify(f.iss.AccessToken())
		require.NoError(t, err)
		require.Equal(t, 2, f.iss.JWKSFetches())
	})

	t.Run("https to http is refused", func(t *testing.T) {
		clk := newClock()
		iss := newIssuer(t, clk)
		var plainHits atomic.Int64
		plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			plainHits.Add(1)
			serveBytes(iss.JWKS())(w, r)
		}))
		defer plain.Close()
		tlsSrv := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/jwks.json", http.StatusFound))
		defer tlsSrv.Close()
		v := newVerifier(t, iss, clk, func(c *cognitojwt.Config) {
			c.JWKSURL = tlsSrv.URL + "/jwks.json"
			c.HTTPClient = tlsSrv.Client()
		})
		_, err := v.Verify(context.Background(), iss.AccessToken())
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		require.Zero(t, plainHits.Load())
	})

	t.Run("redirect loops end", func(t *testing.T) {
		f := newFixture(t, nil)
		f.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, f.iss.JWKSURL(), http.StatusFound)
		}))
		_, err := f.verify(f.iss.AccessToken())
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		require.LessOrEqual(t, f.iss.JWKSFetches(), 4)
	})
}

// TestJWKSSuppliedAtConstructionNeedsNoFetch: a key set given in the
// Config (bytes or file) serves from the first request; it counts as
// fetched when New ran, so it is refreshed after RefreshInterval and an
// unknown kid fetches the pool's set.
func TestJWKSSuppliedAtConstructionNeedsNoFetch(t *testing.T) {
	clk := newClock()
	iss := newIssuer(t, clk)
	file := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(file, iss.JWKS(), 0o600))
	sources := map[string]func(*cognitojwt.Config){
		"bytes": func(c *cognitojwt.Config) { c.JWKS = iss.JWKS() },
		"file":  func(c *cognitojwt.Config) { c.JWKSFile = file },
	}
	for name, supply := range sources {
		t.Run(name, func(t *testing.T) {
			before := iss.JWKSFetches()
			var watch fetchWatch
			v := newVerifier(t, iss, clk, func(c *cognitojwt.Config) {
				supply(c)
				c.RefreshInterval = time.Minute
				watch = watchFetches(c)
			})
			_, err := v.Verify(context.Background(), iss.AccessToken())
			require.NoError(t, err)
			require.NoError(t, v.Warm(context.Background()), "a fresh supplied set is a fresh fetch")
			require.Equal(t, before, iss.JWKSFetches(), "no fetch while the supplied keys serve")

			_, err = v.Verify(context.Background(), iss.AccessToken(cognitotest.WithKey(spareKey())))
			requireKind(t, cognitojwt.ErrUnknownKey, err)
			require.Equal(t, before+1, iss.JWKSFetches(), "an unknown kid fetches the pool's set")
			watch.next(t)

			clk.Advance(time.Minute)
			_, err = v.Verify(context.Background(), iss.AccessToken())
			require.NoError(t, err)
			require.NoError(t, watch.next(t).Err, "refreshed after RefreshInterval")
			require.Equal(t, before+2, iss.JWKSFetches())
		})
	}
}

// TestJWKSDisableFetchNeverFetches: with DisableFetch only the supplied
// keys serve, whatever the kid, the clock or Warm.
func TestJWKSDisableFetchNeverFetches(t *testing.T) {
	f := newFixture(t, nil)
	v := newVerifier(t, f.iss, f.clk, func(c *cognitojwt.Config) {
		c.JWKS = f.iss.JWKS()
		c.DisableFetch = true
		c.RefreshInterval = time.Minute
	})
	token := f.iss.AccessToken(cognitotest.WithLifetime(3 * time.Hour))
	for range 3 {
		_, err := v.Verify(context.Background(), token)
		require.NoError(t, err)
		_, err = v.Verify(context.Background(), f.iss.AccessToken(cognitotest.WithKey(spareKey())))
		requireKind(t, cognitojwt.ErrUnknownKey, err)
		require.NoError(t, v.Warm(context.Background()))
		f.clk.Advance(time.Hour)
	}
	require.Zero(t, f.iss.JWKSFetches())
}

// TestJWKSFetchPanicFailsClosed: the key-set fetch runs on a goroutine of
// its own, where net/http recovers nothing; a panic in the caller's
// transport must reject the tokens waiting for it with ErrKeysUnavailable,
// not end the process, and a fetch after the cooldown works.
func TestJWKSFetchPanicFailsClosed(t *testing.T) {
	checkGoroutineLeaks(t)
	clk := newClock()
	iss := newIssuer(t, clk)
	rt := &testpanic.Transport{}
	rt.Panics.Store(true)
	v := newVerifier(t, iss, clk, func(c *cognitojwt.Config) { c.HTTPClient = &http.Client{Transport: rt} })
	token := iss.AccessToken()
	results := make(chan error, 4)
	for range cap(results) {
		go func() { _, err := v.Verify(context.Background(), token); results <- err }()
	}
	for range cap(results) {
		if err := <-results; !errors.Is(err, cognitojwt.ErrKeysUnavailable) {
			t.Fatalf("Verify during a panicking fetch: %v; want ErrKeysUnavailable", err)
		}
	}
	rt.Panics.Store(false)
	clk.Advance(cognitojwt.DefaultRefetchCooldown)
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatalf("Verify after the cooldown: %v", err)
	}
}
