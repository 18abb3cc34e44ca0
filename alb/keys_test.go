package alb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
)

func TestALBUnknownKidFetchPolicy(t *testing.T) {
	f := newALBFixture(t, nil)
	unknown := newUUIDString()
	tokFor := func(kid string) string { return f.token(func(h map[string]any) { h["kid"] = kid }, nil) }

	// Before any key was obtained a missing key is an outage (503), with
	// a retry hint.
	_, err := f.verify(tokFor(unknown))
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	status, _, _ := cognitojwt.ErrorStatus(err)
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, 1, f.keys.total())

	// Once a key worked, a missing one is an unknown key.
	_, err = f.verify(tokFor(f.kid))
	require.NoError(t, err)
	_, err = f.verify(tokFor(newUUIDString()))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	require.Equal(t, 3, f.keys.total())

	// A kid that failed is not fetched again within the cooldown...
	_, err = f.verify(tokFor(unknown))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	require.Equal(t, 3, f.keys.total())
	// ...and is once the cooldown is over, when it may have been published.
	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	f.keys.publish(unknown, &f.priv.PublicKey)
	_, err = f.verify(tokFor(unknown))
	require.NoError(t, err)
	require.Equal(t, 4, f.keys.total())
}

func TestALBUnknownKidsAreRateLimited(t *testing.T) {
	var cooldowns atomic.Int32
	f := newALBFixture(t, func(c *alb.Config) {
		c.Hooks.OnCooldown = func() { cooldowns.Add(1) }
	})
	_, err := f.verify(f.token(nil, nil))
	require.NoError(t, err)
	require.Equal(t, 1, f.keys.total())

	spray := func() error {
		_, err := f.verify(f.token(func(h map[string]any) { h["kid"] = newUUIDString() }, nil))
		return err
	}
	// The good kid's fetch used one of the burst; three more unknown kids
	// are fetched, then no more within the window.
	for range 3 {
		requireKind(t, cognitojwt.ErrUnknownKey, spray())
	}
	require.Equal(t, 4, f.keys.total())
	for range 20 {
		requireKind(t, cognitojwt.ErrUnknownKey, spray())
	}
	require.Equal(t, 4, f.keys.total(), "unknown kids beyond the burst must not reach the endpoint")
	require.EqualValues(t, 20, cooldowns.Load())

	// Known kids keep working meanwhile.
	_, err = f.verify(f.token(nil, nil))
	require.NoError(t, err)

	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	requireKind(t, cognitojwt.ErrUnknownKey, spray())
	require.Equal(t, 5, f.keys.total())
}

func TestALBConcurrentRequestsShareOneFetch(t *testing.T) {
	f := newALBFixture(t, nil)
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	pemBytes := func() []byte {
		der, _ := x509.MarshalPKIXPublicKey(&f.priv.PublicKey)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()
	f.keys.setHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
		_, _ = w.Write(pemBytes)
	}))
	tok := f.token(nil, nil)
	errs := make(chan error, 16)
	go func() { _, err := f.verify(tok); errs <- err }()
	<-arrived
	for range 15 {
		go func() { _, err := f.verify(tok); errs <- err }()
	}
	close(release)
	for range 16 {
		require.NoError(t, <-errs)
	}
	require.Equal(t, 1, f.keys.total())
}

// TestALBCanceledCallerStartsNoFetch: a caller whose context has ended
// gets ErrCanceled wrapping the context's error and starts no fetch; one
// whose context ends while it waits leaves the fetch to the others, who
// get the key.
func TestALBCanceledCallerStartsNoFetch(t *testing.T) {
	// Registered first, so it runs after the key server has closed: the
	// abandoned fetch must not outlive it.
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	f := newALBFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.v.Verify(ctx, f.token(nil, nil))
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, f.keys.total(), "an ended context starts no fetch")

	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	der, err := x509.MarshalPKIXPublicKey(&f.priv.PublicKey)
	require.NoError(t, err)
	f.keys.setHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
		_, _ = w.Write(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}))
	waiting, stop := context.WithCancel(context.Background())
	impatient := make(chan error, 1)
	go func() { _, err := f.v.Verify(waiting, f.token(nil, nil)); impatient <- err }()
	<-arrived
	patient := make(chan error, 1)
	go func() { _, err := f.verify(f.token(nil, nil)); patient <- err }()
	stop()
	err = <-impatient
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	require.NoError(t, <-patient)
	require.Equal(t, 1, f.keys.total())
}

// TestALBUnknownKidDuringOutageIsUnavailable: once keys were obtained, a
// kid whose fetch failed otherwise than "no such key", or that the rate
// limit holds back after such a failure, is ErrKeysUnavailable with a
// Retry-After hint; a kid the endpoint does not have is ErrUnknownKey.
func TestALBUnknownKidDuringOutageIsUnavailable(t *testing.T) {
	f := newALBFixture(t, nil)
	_, err := f.verify(f.token(nil, nil))
	require.NoError(t, err)
	withKid := func(kid string) string { return f.token(func(h map[string]any) { h["kid"] = kid }, nil) }

	f.keys.setHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	var hint interface{ RetryAfter() time.Duration }
	rotated := newUUIDString()
	_, err = f.verify(withKid(rotated))
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	require.True(t, errors.As(err, &hint))
	require.Equal(t, cognitojwt.DefaultRefetchCooldown, hint.RetryAfter())
	require.NotContains(t, err.Error(), rotated)

	// The same kid within its cooldown, and other kids once the burst is
	// spent, are outages too.
	_, err = f.verify(withKid(rotated))
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	for range 5 {
		_, err = f.verify(withKid(newUUIDString()))
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	}
	require.Contains(t, err.Error(), "rate-limited after a failed one")

	// The endpoint is back: the rotated key is served, a kid it does not
	// have is unknown.
	f.keys.setHandler(nil)
	f.keys.publish(rotated, &f.priv.PublicKey)
	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	_, err = f.verify(withKid(rotated))
	require.NoError(t, err)
	_, err = f.verify(withKid(newUUIDString()))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
}

// TestALBKnownKidTakesNoLock: a kid whose key is cached is verified
// without the lock that fetches take.
func TestALBKnownKidTakesNoLock(t *testing.T) {
	f := newALBFixture(t, nil)
	tok := f.token(nil, nil)
	_, err := f.verify(tok)
	require.NoError(t, err)
	unlock := alb.LockKeySource(f.v)
	var unlockOnce sync.Once
	defer unlockOnce.Do(unlock)
	done := make(chan error, 1)
	go func() { _, err := f.verify(tok); done <- err }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(testwait.Limit(t)):
		t.Fatal("a known kid waited for the key source's lock")
	}
	unlockOnce.Do(unlock)
}

func TestALBRejectsUnusableKeyDocuments(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // only its shape matters
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	pemOf := func(typ string, pub any) []byte {
		der, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	}
	p256 := newP256()
	good := pemOf("PUBLIC KEY", &p256.PublicKey)
	bodies := map[string][]byte{
		"garbage":          []byte("hello"),
		"empty":            nil,
		"RSA key":          pemOf("PUBLIC KEY", &rsaKey.PublicKey),
		"P-384 key":        pemOf("PUBLIC KEY", &p384.PublicKey),
		"wrong block type": pemOf("CERTIFICATE", &p256.PublicKey),
		"two blocks":       append(append([]byte{}, good...), good...),
		"trailing data":    append(append([]byte{}, good...), "junk"...),
		"leading data":     append([]byte("junk\n"), good...),
		"oversized":        append(append([]byte{}, good...), strings.Repeat(" ", 9<<10)...),
		"corrupt DER":      pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30, 0x03, 0x01}}),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newALBFixture(t, nil)
			f.priv = p256
			f.keys.publishRaw(f.kid, body)
			_, err := f.verify(f.token(nil, nil))
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		})
	}
	t.Run("control", func(t *testing.T) {
		f := newALBFixture(t, nil)
		f.priv = p256
		f.keys.publishRaw(f.kid, good)
		_, err := f.verify(f.token(nil, nil))
		require.NoError(t, err)
	})
}

func TestALBKeyEndpointFaults(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("redirect to another host was followed")
	}))
	defer elsewhere.Close()
	handlers := map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) },
		"403 as S3 answers": func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "AccessDenied", http.StatusForbidden)
		},
		"redirect to another host": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			var fetches []cognitojwt.JWKSFetch
			var mu sync.Mutex
			f := newALBFixture(t, func(c *alb.Config) {
				c.Hooks.OnJWKSFetch = func(j cognitojwt.JWKSFetch) { mu.Lock(); fetches = append(fetches, j); mu.Unlock() }
			})
			f.keys.setHandler(h)
			_, err := f.verify(f.token(nil, nil))
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
			require.NotContains(t, err.Error(), f.kid, "error details never carry a kid")
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, fetches, 1)
			require.Error(t, fetches[0].Err)
			require.Equal(t, f.keys.template(), fetches[0].URL, "hooks see the template, not the kid")
		})
	}
}

func TestALBKeyCacheIsBounded(t *testing.T) {
	f := newALBFixture(t, func(c *alb.Config) { c.KeyCacheSize = 2 })
	kids := []string{f.kid, newUUIDString(), newUUIDString()}
	for _, kid := range kids[1:] {
		f.keys.publish(kid, &f.priv.PublicKey)
	}
	verifyKid := func(kid string) {
		t.Helper()
		_, err := f.verify(f.token(func(h map[string]any) { h["kid"] = kid }, nil))
		require.NoError(t, err)
	}
	for _, kid := range kids {
		f.clk.Advance(time.Second)
		verifyKid(kid)
	}
	require.Equal(t, 3, f.keys.total())
	verifyKid(kids[2])
	verifyKid(kids[1])
	require.Equal(t, 3, f.keys.total(), "the two newest keys stay cached")
	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	verifyKid(kids[0])
	require.Equal(t, 4, f.keys.total(), "the oldest key was evicted and fetched again")
}
