package cognitojwt_test

// Faults suite, load: key rotation under concurrent traffic, a herd of
// callers on a cold verifier, and a stream of unknown kids, each on an
// injected clock. faults_test.go holds the endpoint's own faults.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

// TestKeyRotationUnderLoad publishes a new signing key while 1,000
// requests carrying old and new tokens run at once: none may be refused,
// and the new kid costs one fetch.
func TestKeyRotationUnderLoad(t *testing.T) {
	e := newFaultEnv(t, nil)
	if err := e.v.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.watch.next(t)
	e.clock.Advance(cognitojwt.DefaultRefetchCooldown)
	var tokens []string
	for range 8 {
		tokens = append(tokens, e.mint())
	}
	e.iss.AddKey(sharedKey(t, "second"), true)
	for range 8 {
		tokens = append(tokens, e.mint())
	}
	before := e.iss.JWKSFetches()
	const requests = 1000
	var refused atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			<-start
			token := tokens[i%len(tokens)]
			res := serveProtected(e.v, []string{"Bearer " + token}, nil)
			if !res.reached {
				refused.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := refused.Load(); n != 0 {
		t.Fatalf("%d of %d requests refused during rotation", n, requests)
	}
	if n := e.iss.JWKSFetches() - before; n != 1 {
		t.Fatalf("rotation caused %d fetches, want 1", n)
	}

	// Retiring the old key stops its tokens once the set is refreshed,
	// even those the verified-token cache holds.
	e.iss.RemoveKey(sharedKey(t, "pool").KeyID)
	e.clock.Advance(cognitojwt.DefaultRefreshInterval)
	e.verify(t, tokens[0], nil) // served from the current set; refresh starts
	for f := e.watch.next(t); f.Keys != 1; f = e.watch.next(t) {
	}
	e.verify(t, tokens[0], cognitojwt.ErrUnknownKey)
	e.verify(t, tokens[len(tokens)-1], nil)
}

// TestThunderingHerd sends 10,000 concurrent verifications of tokens with a
// kid the verifier has not seen: exactly one fetch serves them all, and
// none is refused, whether a request joins the fetch under way or arrives
// just after it.
func TestThunderingHerd(t *testing.T) {
	// The fetch is held on purpose below; the default timeout would cut
	// it short on a slow machine.
	e := newFaultEnv(t, func(c *cognitojwt.Config) { c.FetchTimeout = time.Minute })
	if err := e.v.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.watch.next(t)
	e.clock.Advance(cognitojwt.DefaultRefetchCooldown)
	e.iss.AddKey(sharedKey(t, "second"), true)
	tokens := []string{e.mint(), e.mint()}
	e.iss.SetJWKSHandler(e.blocking())
	const herd, held = 10000, 1000
	var started sync.WaitGroup
	started.Add(held)
	var refused atomic.Int64
	var firstErr atomic.Value
	var done sync.WaitGroup
	verify := func(i int) {
		if _, err := e.v.Verify(context.Background(), tokens[i%2]); err != nil {
			refused.Add(1)
			firstErr.CompareAndSwap(nil, err)
		}
	}
	// The first thousand find the fetch under way and wait on it; the
	// rest arrive while it finishes or after, inside the cooldown. (Holding
	// all 10,000 would only add RSA verifications: the cache cannot answer
	// before the key is known.)
	for i := range herd {
		if i == held {
			started.Wait()
			e.unblock()
		}
		done.Go(func() {
			if i < held {
				started.Done()
			}
			verify(i)
		})
	}
	done.Wait()
	if n := refused.Load(); n != 0 {
		t.Fatalf("%d of %d verifications refused, first: %v", n, herd, firstErr.Load())
	}
	if f := e.watch.next(t); f.Err != nil || f.Keys != 2 {
		t.Fatalf("fetch %+v", f)
	}
	if n := e.iss.JWKSFetches(); n != 2 {
		t.Fatalf("%d fetches for one new kid (plus the first), want exactly 2", n)
	}
	select {
	case f := <-e.watch.fetches:
		t.Fatalf("a further fetch happened: %+v", f)
	default:
	}
}

// TestUnknownKidStreamBoundedByCooldown sends a minute of requests whose
// kids are all different and unknown: fetches stay within one per
// cooldown, each request fails fast as an unknown key, and known keys keep
// working throughout.
func TestUnknownKidStreamBoundedByCooldown(t *testing.T) {
	var suppressed atomic.Int64
	e := newFaultEnv(t, func(c *cognitojwt.Config) { c.Hooks.OnCooldown = func() { suppressed.Add(1) } })
	if err := e.v.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	claims := string(mustJSON(t, e.iss.Claims("access")))
	randomKidToken := func() string {
		kid := make([]byte, 32)
		_, _ = rand.Read(kid)
		return unsignedTokenOf(`{"alg":"RS256","kid":"`+hex.EncodeToString(kid)+`"}`, claims)
	}
	const seconds, perSecond = 60, 50
	var wrong atomic.Int64
	for range seconds {
		e.clock.Advance(time.Second)
		var wg sync.WaitGroup
		for range perSecond {
			tok := randomKidToken()
			wg.Go(func() {
				if _, err := e.v.Verify(context.Background(), tok); !errors.Is(err, cognitojwt.ErrUnknownKey) {
					wrong.Add(1)
				}
			})
		}
		wg.Wait()
		e.verify(t, e.token, nil)
	}
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d unknown-kid requests were not ErrUnknownKey", n)
	}
	fetches := e.iss.JWKSFetches() - 1
	limit := int(seconds*time.Second/cognitojwt.DefaultRefetchCooldown) + 1
	if fetches > limit || fetches < 1 {
		t.Fatalf("%d fetches in %ds of unknown kids, want 1..%d", fetches, seconds, limit)
	}
	// Requests that arrive while a fetch runs join it; every other one
	// is turned away by the cooldown.
	if suppressed.Load() < seconds*perSecond/2 {
		t.Fatalf("only %d refetches suppressed", suppressed.Load())
	}
}
