package cognitojwt_test

// JWKS suite, refetches: a kid the key set lacks, the cooldown that
// bounds the fetches it causes, and fetches shared by callers or left by
// one that gave up. jwks_test.go holds the key set's lifecycle.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

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

// TestJWKSCallerGivingUpDoesNotFailOthers: a caller whose context ends
// while it waits for a fetch gets ErrCanceled wrapping the context's
// error, and the callers sharing the fetch get its real result.
func TestJWKSCallerGivingUpDoesNotFailOthers(t *testing.T) {
	var outcomes []cognitojwt.VerifyOutcome
	var outcomesMu sync.Mutex
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.Hooks.OnVerify = func(o cognitojwt.VerifyOutcome) {
			outcomesMu.Lock()
			outcomes = append(outcomes, o)
			outcomesMu.Unlock()
		}
	})
	entered := make(chan struct{}, 2)
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
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
	err := <-impatient
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, cognitojwt.ErrKeysUnavailable)
	unblock()
	require.NoError(t, <-patient)
	require.Equal(t, 1, f.iss.JWKSFetches())

	outcomesMu.Lock()
	defer outcomesMu.Unlock()
	require.Len(t, outcomes, 2)
	require.Equal(t, cognitojwt.ErrCanceled, cognitojwt.ErrorKind(outcomes[0].Err), "OnVerify labels a disconnect as canceled")
}

// verifyAtOnce verifies token from n goroutines at once and returns
// the errors.
func verifyAtOnce(f *fixture, token string, n int) []error {
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = f.verify(token)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// TestJWKSCooldownCountsOnlyFromUnknownKidFetches: a key published right
// after Warm, the first request's fetch or a background refresh is fetched
// by the first token that carries it; those fetches open no cooldown.
func TestJWKSCooldownCountsOnlyFromUnknownKidFetches(t *testing.T) {
	cases := []struct {
		name  string
		prime func(t *testing.T, f *fixture, watch fetchWatch) (reported int)
	}{
		{"after Warm", func(t *testing.T, f *fixture, _ fetchWatch) int {
			require.NoError(t, f.v.Warm(context.Background()))
			return 0
		}},
		{"after the first request's fetch", func(t *testing.T, f *fixture, _ fetchWatch) int {
			_, err := f.verify(f.iss.AccessToken())
			require.NoError(t, err)
			return 0
		}},
		{"after a background refresh", func(t *testing.T, f *fixture, watch fetchWatch) int {
			require.NoError(t, f.v.Warm(context.Background()))
			watch.next(t)
			f.clk.Advance(time.Minute)
			_, err := f.verify(f.iss.AccessToken())
			require.NoError(t, err)
			// Wait for the refresh itself, so that it cannot land among
			// the requests below.
			watch.next(t)
			return 2
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var watch fetchWatch
			f := newFixture(t, func(c *cognitojwt.Config) {
				c.RefreshInterval = time.Minute
				watch = watchFetches(c)
			})
			reported := tc.prime(t, f, watch)
			// The priming fetches are over once reported: fetches are
			// reported after the key source's state reflects them.
			for ; reported < f.iss.JWKSFetches(); reported++ {
				watch.next(t)
			}
			before := f.iss.JWKSFetches()
			f.iss.AddKey(spareKey(), true)
			for i, err := range verifyAtOnce(f, f.iss.AccessToken(), 1000) {
				require.NoError(t, err, "request %d", i)
			}
			require.Equal(t, before+1, f.iss.JWKSFetches(), "one fetch for the new kid")
		})
	}
}

// TestJWKSUnknownKidFloodBoundedByCooldownAndRefresh: random unknown kids
// cause at most one fetch per cooldown plus one per refresh interval,
// however many arrive.
func TestJWKSUnknownKidFloodBoundedByCooldownAndRefresh(t *testing.T) {
	const cooldown, refresh, seconds = 10 * time.Second, 15 * time.Second, 60
	var watch fetchWatch
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.RefetchCooldown = cooldown
		c.RefreshInterval = refresh
		watch = watchFetches(c)
	})
	require.NoError(t, f.v.Warm(context.Background()))
	watch.next(t)
	seen := 1
	known := f.iss.AccessToken(cognitotest.WithLifetime(time.Hour))
	claims, err := jsonMarshal(f.iss.Claims("access", cognitotest.WithLifetime(time.Hour)))
	require.NoError(t, err)
	for s := range seconds {
		f.clk.Advance(time.Second)
		for i := range 20 {
			kid := fmt.Sprintf("random-%d-%d", s, i)
			_, err := f.verify(unsignedTokenOf(`{"alg":"RS256","kid":"`+kid+`"}`, string(claims)))
			require.Error(t, err)
			require.True(t, errors.Is(err, cognitojwt.ErrUnknownKey), "%v", err)
		}
		_, err := f.verify(known)
		require.NoError(t, err)
		// Let every fetch the endpoint has seen finish, so that the next
		// second sees its result.
		for ; seen < f.iss.JWKSFetches(); seen++ {
			watch.next(t)
		}
	}
	limit := seconds*int(time.Second)/int(cooldown) + 1 + seconds*int(time.Second)/int(refresh) + 1
	fetches := f.iss.JWKSFetches() - 1
	require.LessOrEqual(t, fetches, limit)
	require.GreaterOrEqual(t, fetches, seconds*int(time.Second)/int(cooldown)-1)
}

// TestJWKSUnknownKidDuringOutageIsUnavailable: an unknown kid that a
// failed fetch could not look up, or that the cooldown after a failure
// keeps from being looked up, is ErrKeysUnavailable with a Retry-After
// hint: the key may have been published during the outage. After a
// successful fetch, an unknown kid stays ErrUnknownKey.
func TestJWKSUnknownKidDuringOutageIsUnavailable(t *testing.T) {
	var hint interface{ RetryAfter() time.Duration }
	t.Run("the refetch fails", func(t *testing.T) {
		f := newFixture(t, nil)
		require.NoError(t, f.v.Warm(context.Background()))
		f.iss.SetJWKSHandler(serveStatus(http.StatusInternalServerError))
		rotated := f.iss.AccessToken(cognitotest.WithKey(spareKey()))

		_, err := f.verify(rotated)
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		require.Contains(t, err.Error(), "the fetch that would have found it failed")
		require.True(t, errors.As(err, &hint))
		require.Equal(t, cognitojwt.DefaultRefetchCooldown, hint.RetryAfter())
		require.Equal(t, 2, f.iss.JWKSFetches())

		f.clk.Advance(3 * time.Second)
		_, err = f.verify(rotated)
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		require.Contains(t, err.Error(), "cooldown after a failed fetch")
		require.True(t, errors.As(err, &hint))
		require.Equal(t, 7*time.Second, hint.RetryAfter())
		require.Equal(t, 2, f.iss.JWKSFetches())
		status, _, _ := cognitojwt.ErrorStatus(err)
		require.Equal(t, http.StatusServiceUnavailable, status)

		// The client that retries after Retry-After is served.
		f.iss.AddKey(spareKey(), false)
		f.iss.SetJWKSHandler(nil)
		f.clk.Advance(7 * time.Second)
		_, err = f.verify(rotated)
		require.NoError(t, err)
	})
	t.Run("a background refresh failed", func(t *testing.T) {
		var watch fetchWatch
		f := newFixture(t, func(c *cognitojwt.Config) {
			c.RefreshInterval = time.Minute
			watch = watchFetches(c)
		})
		require.NoError(t, f.v.Warm(context.Background()))
		watch.next(t)
		f.iss.SetJWKSHandler(serveStatus(http.StatusBadGateway))
		f.clk.Advance(time.Minute)
		_, err := f.verify(f.iss.AccessToken())
		require.NoError(t, err)
		require.Error(t, watch.next(t).Err)
		require.Eventually(t, func() bool {
			_, err := f.verify(f.iss.AccessToken(cognitotest.WithKey(spareKey())))
			return errors.Is(err, cognitojwt.ErrKeysUnavailable) && cognitojwt.ErrorKind(err) == cognitojwt.ErrKeysUnavailable
		}, livenessLimit(t), time.Millisecond)
		require.Equal(t, 2, f.iss.JWKSFetches())
	})
	t.Run("after a successful fetch it stays unknown", func(t *testing.T) {
		f := newFixture(t, nil)
		require.NoError(t, f.v.Warm(context.Background()))
		stranger := f.iss.AccessToken(cognitotest.WithKey(spareKey()))
		for range 3 {
			_, err := f.verify(stranger)
			requireKind(t, cognitojwt.ErrUnknownKey, err)
		}
		require.Equal(t, 2, f.iss.JWKSFetches())
	})
}

// TestJWKSCanceledCallerStartsNoFetchAndOpensNoCooldown: a caller whose
// context has already ended gets ErrCanceled wrapping the context's
// error, starts no fetch and leaves the next caller free to fetch; a kid
// already known is still answered from the cached keys.
func TestJWKSCanceledCallerStartsNoFetchAndOpensNoCooldown(t *testing.T) {
	var cooldowns atomic.Int64
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.Hooks.OnCooldown = func() { cooldowns.Add(1) }
	})
	token := f.iss.AccessToken()
	canceledCtx, cancel := context.WithCancel(context.Background())
	cancel()
	expiredCtx, cancelExpired := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancelExpired()

	_, err := f.v.Verify(canceledCtx, token)
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.v.Verify(expiredCtx, token)
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	requireKind(t, cognitojwt.ErrCanceled, f.v.Warm(canceledCtx))
	require.Zero(t, f.iss.JWKSFetches())
	require.Zero(t, cooldowns.Load())

	_, err = f.verify(token)
	require.NoError(t, err, "no cooldown was opened")
	require.Equal(t, 1, f.iss.JWKSFetches())

	_, err = f.v.Verify(canceledCtx, f.iss.AccessToken())
	require.NoError(t, err, "a known kid needs no fetch")
	_, err = f.v.Verify(canceledCtx, f.iss.AccessToken(cognitotest.WithKey(spareKey())))
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.Equal(t, 1, f.iss.JWKSFetches())
	_, err = f.verify(f.iss.AccessToken(cognitotest.WithKey(spareKey())))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	require.Equal(t, 2, f.iss.JWKSFetches(), "the canceled unknown kid opened no cooldown")
}

// TestCanceledAnswerIsNotKeysUnavailable: the middleware answers a
// canceled request 503 without Retry-After or challenge, with its own
// description, and logs it under its own kind.
func TestCanceledAnswerIsNotKeysUnavailable(t *testing.T) {
	f := newFixture(t, nil)
	var logged strings.Builder
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	h := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(logger))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("handler ran")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+f.iss.AccessToken())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Empty(t, rec.Header().Get("Retry-After"))
	require.Empty(t, rec.Header().Get("WWW-Authenticate"))
	require.JSONEq(t, `{"error":"temporarily_unavailable","error_description":"The request ended before the token could be verified."}`, rec.Body.String())
	require.Contains(t, logged.String(), "kind="+cognitojwt.ErrorCode(cognitojwt.ErrCanceled))
	require.NotContains(t, logged.String(), cognitojwt.ErrorCode(cognitojwt.ErrKeysUnavailable))
	require.Zero(t, f.iss.JWKSFetches())
}

// TestJWKSRefreshDecisionTakesNoLock: with a stale key set whose refresh
// fails, or is under way, verifications of known kids (cache hits and
// misses) never wait for the lock that starting a fetch takes.
func TestJWKSRefreshDecisionTakesNoLock(t *testing.T) {
	for _, cacheSize := range []int{0, -1} {
		for _, state := range []string{"refresh failed", "refresh under way"} {
			t.Run(fmt.Sprintf("%s, cache size %d", state, cacheSize), func(t *testing.T) {
				var watch fetchWatch
				f := newFixture(t, func(c *cognitojwt.Config) {
					c.RefreshInterval = time.Minute
					c.CacheSize = cacheSize
					watch = watchFetches(c)
				})
				release := make(chan struct{})
				var once sync.Once
				unblock := func() { once.Do(func() { close(release) }) }
				t.Cleanup(unblock)
				require.NoError(t, f.v.Warm(context.Background()))
				watch.next(t)
				token := f.iss.AccessToken(cognitotest.WithLifetime(time.Hour))
				_, err := f.verify(token)
				require.NoError(t, err)

				entered := make(chan struct{}, 1)
				if state == "refresh failed" {
					f.iss.SetJWKSHandler(serveStatus(http.StatusInternalServerError))
				} else {
					f.iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						entered <- struct{}{}
						<-release
						serveBytes(f.iss.JWKS())(w, r)
					}))
				}
				f.clk.Advance(time.Minute)
				_, err = f.verify(token)
				require.NoError(t, err)
				if state == "refresh failed" {
					require.Error(t, watch.next(t).Err)
				} else {
					<-entered
				}

				unlock := cognitojwt.LockKeySource(f.v)
				var unlockOnce sync.Once
				defer unlockOnce.Do(unlock)
				done := make(chan error, 1)
				go func() {
					for range 100 {
						if _, err := f.verify(token); err != nil {
							done <- err
							return
						}
					}
					done <- nil
				}()
				select {
				case err := <-done:
					require.NoError(t, err)
				case <-time.After(livenessLimit(t)):
					t.Fatal("a verification of a known kid waited for the key source's lock")
				}
				unlockOnce.Do(unlock)
				unblock()
			})
		}
	}
}

// TestJWKSWarmWithinCooldownDoesNotFetch: Warm within the cooldown after
// a fetch reports that fetch's result without fetching again.
func TestJWKSWarmWithinCooldownDoesNotFetch(t *testing.T) {
	t.Run("after a success", func(t *testing.T) {
		f := newFixture(t, nil)
		for range 5 {
			require.NoError(t, f.v.Warm(context.Background()))
			f.clk.Advance(time.Second)
		}
		require.Equal(t, 1, f.iss.JWKSFetches())
		f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
		require.NoError(t, f.v.Warm(context.Background()))
		require.Equal(t, 2, f.iss.JWKSFetches())
	})
	t.Run("after a failure", func(t *testing.T) {
		f := newFixture(t, nil)
		f.iss.SetJWKSHandler(serveStatus(http.StatusInternalServerError))
		for range 5 {
			err := f.v.Warm(context.Background())
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
			require.Contains(t, err.Error(), "HTTP 500")
			f.clk.Advance(time.Second)
		}
		require.Equal(t, 1, f.iss.JWKSFetches())
		f.iss.SetJWKSHandler(nil)
		f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
		require.NoError(t, f.v.Warm(context.Background()))
		require.Equal(t, 2, f.iss.JWKSFetches())
	})
}
