package cognitojwt_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func serveBytes(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

func serveStatus(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }
}

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

func TestJWKSUnknownKidRefetchAndCooldown(t *testing.T) {
	const cooldown = 200 * time.Millisecond
	var cooldowns atomic.Int64
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.RefetchCooldown = cooldown
		c.Hooks.OnCooldown = func() { cooldowns.Add(1) }
	})
	known := f.iss.AccessToken()
	unknown := f.iss.AccessToken(cognitotest.WithKey(spareKey()))

	require.NoError(t, f.v.Warm(context.Background()))
	f.clk.Advance(cooldown)

	_, err := f.verify(unknown)
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	require.Equal(t, 2, f.iss.JWKSFetches(), "an unknown kid refetches once")
	require.Zero(t, cooldowns.Load())

	// Within the cooldown unknown kids fail fast while known ones work.
	for range 5 {
		_, err = f.verify(unknown)
		requireKind(t, cognitojwt.ErrUnknownKey, err)
		_, err = f.verify(f.iss.AccessToken(cognitotest.WithKey(thirdKey())))
		requireKind(t, cognitojwt.ErrUnknownKey, err)
	}
	_, err = f.verify(known)
	require.NoError(t, err)
	require.Equal(t, 2, f.iss.JWKSFetches())
	require.Equal(t, int64(10), cooldowns.Load())

	// The key is published now but the cooldown still holds.
	f.iss.AddKey(spareKey(), false)
	f.clk.Advance(cooldown - time.Millisecond)
	_, err = f.verify(unknown)
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	require.Equal(t, 2, f.iss.JWKSFetches())

	f.clk.Advance(time.Millisecond)
	c, err := f.verify(unknown)
	require.NoError(t, err)
	require.Equal(t, spareKey().KeyID, c.KeyID)
	require.Equal(t, 3, f.iss.JWKSFetches())
}

func TestJWKSConcurrentRefetchIsShared(t *testing.T) {
	const callers = 200
	f := newFixture(t, func(c *cognitojwt.Config) { c.RefetchCooldown = time.Second })
	require.NoError(t, f.v.Warm(context.Background()))
	f.clk.Advance(time.Second)
	f.iss.AddKey(spareKey(), true)
	token := f.iss.AccessToken()

	start := make(chan struct{})
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.verify(token)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 2, f.iss.JWKSFetches())
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
	requireKind(t, cognitojwt.ErrUnknownKey, err)
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
	require.Eventually(t, func() bool { return f.iss.JWKSFetches() == 3 }, 5*time.Second, time.Millisecond)
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
	case <-time.After(5 * time.Second):
		t.Fatal("no background refresh started")
	}
	_, err = f.verify(old)
	require.NoError(t, err)

	close(release)
	got := watch.next(t)
	require.NoError(t, got.Err)
	require.Equal(t, 1, got.Keys)

	_, err = f.verify(old)
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	c, err := f.verify(f.iss.AccessToken())
	require.NoError(t, err)
	require.Equal(t, thirdKey().KeyID, c.KeyID)
	require.Equal(t, 2, f.iss.JWKSFetches())
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

// hugeModulus is an odd 8200-bit number: past the size any real pool
// uses, and costly to verify with.
var hugeModulus = func() string {
	n := make([]byte, 1025)
	for i := range n {
		n[i] = 0xa5
	}
	n[0], n[len(n)-1] = 0xff, 0x01
	return base64.RawURLEncoding.EncodeToString(n)
}()

func TestJWKSKeySelection(t *testing.T) {
	weak, err := rsaKey1024()
	require.NoError(t, err)
	weakKey := &cognitotest.SigningKey{KeyID: "weak-kid", Private: weak}

	with := func(name string, value any) map[string]any {
		k := jwkOf(primaryKey())
		if value == nil {
			delete(k, name)
		} else {
			k[name] = value
		}
		return k
	}
	backup := jwkOf(thirdKey())
	tests := []struct {
		name   string
		keys   []any
		signer *cognitotest.SigningKey // default primaryKey
		want   error
	}{
		{"control", []any{jwkOf(primaryKey()), backup}, nil, nil},
		{"no alg", []any{with("alg", nil), backup}, nil, nil},
		{"no use", []any{with("use", nil), backup}, nil, nil},
		{"key_ops with verify", []any{with("key_ops", []string{"verify"}), backup}, nil, nil},
		{"extra members", []any{with("x5t", "abc"), backup}, nil, nil},
		{"non-object entry skipped", []any{"junk", 7, jwkOf(primaryKey())}, nil, nil},
		{"same key listed twice", []any{jwkOf(primaryKey()), jwkOf(primaryKey()), backup}, nil, nil},
		{"EC key type", []any{with("kty", "EC"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"kty in lower case", []any{with("kty", "rsa"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"use enc", []any{with("use", "enc"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"key_ops without verify", []any{with("key_ops", []string{"encrypt"}), backup}, nil, cognitojwt.ErrUnknownKey},
		{"key_ops empty", []any{with("key_ops", []string{}), backup}, nil, cognitojwt.ErrUnknownKey},
		{"alg RS512", []any{with("alg", "RS512"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"alg HS256", []any{with("alg", "HS256"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"alg none", []any{with("alg", "none"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"exponent 1", []any{with("e", "AQ"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"even exponent", []any{with("e", "AQAA"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"no modulus", []any{with("n", nil), backup}, nil, cognitojwt.ErrUnknownKey},
		{"kid not a string", []any{with("kid", 5), backup}, nil, cognitojwt.ErrUnknownKey},
		{"zero modulus", []any{with("n", "AA"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"modulus over 8192 bits", []any{with("n", hugeModulus), backup}, nil, cognitojwt.ErrUnknownKey},
		{"1024-bit key", []any{rsaJWK(weakKey.KeyID, &weak.PublicKey), backup}, weakKey, cognitojwt.ErrUnknownKey},
		{"kid listed twice with different keys", []any{jwkOf(primaryKey()), rsaJWK(primaryKey().KeyID, &thirdKey().Private.PublicKey), backup}, nil, cognitojwt.ErrUnknownKey},
		{"kid listed thrice, one different", []any{jwkOf(primaryKey()), rsaJWK(primaryKey().KeyID, &thirdKey().Private.PublicKey), jwkOf(primaryKey()), backup}, nil, cognitojwt.ErrUnknownKey},
		{"no kid is unusable", []any{with("kid", nil)}, nil, cognitojwt.ErrKeysUnavailable},
		{"private exponent rejects the set", []any{jwkOf(primaryKey()), with("d", "AQAB")}, thirdKey(), cognitojwt.ErrKeysUnavailable},
		{"private CRT member rejects the set", []any{with("qi", "AQAB"), backup}, thirdKey(), cognitojwt.ErrKeysUnavailable},
		{"multi-prime member rejects the set", []any{with("oth", []any{}), backup}, thirdKey(), cognitojwt.ErrKeysUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			body, err := jsonMarshal(map[string]any{"keys": tt.keys})
			require.NoError(t, err)
			f.iss.SetJWKSHandler(serveBytes(body))
			signer := tt.signer
			if signer == nil {
				signer = primaryKey()
			}
			c, err := f.verify(f.iss.AccessToken(cognitotest.WithKey(signer)))
			requireKind(t, tt.want, err)
			if tt.want == nil {
				require.Equal(t, signer.KeyID, c.KeyID)
			}
		})
	}
}

func TestJWKSCallerGivingUpDoesNotFailOthers(t *testing.T) {
	f := newFixture(t, nil)
	entered := make(chan struct{}, 2)
	release := make(chan struct{})
	f.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		serveBytes(f.iss.JWKS())(w, r)
	}))
	token := f.iss.AccessToken()

	ctx, cancel := context.WithCancel(context.Background())
	impatient := make(chan error, 1)
	go func() {
		_, err := f.v.Verify(ctx, token)
		impatient <- err
	}()
	<-entered
	patient := make(chan error, 1)
	go func() {
		_, err := f.verify(token)
		patient <- err
	}()
	cancel()
	requireKind(t, cognitojwt.ErrKeysUnavailable, <-impatient)
	close(release)
	require.NoError(t, <-patient)
	require.Equal(t, 1, f.iss.JWKSFetches())
}
