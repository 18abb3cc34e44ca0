package cognitojwt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// hookRecorder keeps every hook call, safe for the fetcher's goroutine.
type hookRecorder struct {
	mu        sync.Mutex
	verifies  []cognitojwt.VerifyOutcome
	fetches   []cognitojwt.JWKSFetch
	cooldowns int
	fetched   chan cognitojwt.JWKSFetch
}

func newHookRecorder() *hookRecorder {
	return &hookRecorder{fetched: make(chan cognitojwt.JWKSFetch, 16)}
}

func (h *hookRecorder) hooks() cognitojwt.Hooks {
	return cognitojwt.Hooks{
		OnVerify: func(o cognitojwt.VerifyOutcome) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.verifies = append(h.verifies, o)
		},
		OnJWKSFetch: func(f cognitojwt.JWKSFetch) {
			h.mu.Lock()
			h.fetches = append(h.fetches, f)
			h.mu.Unlock()
			h.fetched <- f
		},
		OnCooldown: func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.cooldowns++
		},
	}
}

// nextFetch waits for the next reported fetch.
func (h *hookRecorder) nextFetch(t *testing.T) cognitojwt.JWKSFetch {
	t.Helper()
	select {
	case f := <-h.fetched:
		return f
	case <-time.After(livenessLimit(t)):
		t.Fatal("no JWKS fetch was reported")
		return cognitojwt.JWKSFetch{}
	}
}

func (h *hookRecorder) snapshot() ([]cognitojwt.VerifyOutcome, []cognitojwt.JWKSFetch, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]cognitojwt.VerifyOutcome(nil), h.verifies...), append([]cognitojwt.JWKSFetch(nil), h.fetches...), h.cooldowns
}

func hooksVerifier(t *testing.T, cfg cognitojwt.Config) *cognitojwt.Verifier {
	t.Helper()
	v, err := cognitojwt.New(cfg)
	require.NoError(t, err)
	return v
}

func TestOnVerifyReportsEveryOutcome(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	rec := newHookRecorder()
	cfg := iss.Config("app")
	cfg.Hooks = rec.hooks()
	v := hooksVerifier(t, cfg)
	ctx := context.Background()
	good := iss.AccessToken(cognitotest.WithClientID("app"))

	_, err := v.Verify(ctx, good)
	require.NoError(t, err)
	_, err = v.Verify(ctx, good)
	require.NoError(t, err)
	_, expiredErr := v.Verify(ctx, iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithLifetime(-time.Minute)))
	require.Error(t, expiredErr)
	_, clientErr := v.Verify(ctx, iss.AccessToken(cognitotest.WithClientID("other")))
	require.Error(t, clientErr)
	_, emptyErr := v.Verify(ctx, "")
	require.Error(t, emptyErr)

	outcomes, _, _ := rec.snapshot()
	require.Len(t, outcomes, 5, "one call per Verify")

	assert.NoError(t, outcomes[0].Err)
	assert.False(t, outcomes[0].CacheHit, "the first sight of a token is verified in full")
	assert.Positive(t, outcomes[0].Duration, "the first Verify includes the JWKS fetch")
	assert.Equal(t, cognitojwt.AccessToken, outcomes[0].TokenUse)

	assert.NoError(t, outcomes[1].Err)
	assert.True(t, outcomes[1].CacheHit, "the same token again is answered by the cache")

	assert.Same(t, expiredErr, outcomes[2].Err, "the hook sees the error Verify returned")
	assert.Equal(t, cognitojwt.ErrExpired, cognitojwt.ErrorKind(outcomes[2].Err))
	assert.False(t, outcomes[2].CacheHit)
	assert.Equal(t, cognitojwt.ErrWrongClient, cognitojwt.ErrorKind(outcomes[3].Err))
	assert.Equal(t, cognitojwt.ErrNoToken, cognitojwt.ErrorKind(outcomes[4].Err))
	for _, o := range outcomes {
		assert.GreaterOrEqual(t, o.Duration, time.Duration(0))
	}
}

func TestOnVerifyWithCacheOffNeverReportsHits(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	rec := newHookRecorder()
	cfg := iss.Config("app")
	cfg.CacheSize = -1
	cfg.TokenUse = cognitojwt.IDToken
	cfg.Hooks = rec.hooks()
	v := hooksVerifier(t, cfg)
	token := iss.IDToken(cognitotest.WithClientID("app"))
	for range 3 {
		_, err := v.Verify(context.Background(), token)
		require.NoError(t, err)
	}
	outcomes, _, _ := rec.snapshot()
	require.Len(t, outcomes, 3)
	for _, o := range outcomes {
		assert.False(t, o.CacheHit)
		assert.Equal(t, cognitojwt.IDToken, o.TokenUse)
	}
}

func TestOnJWKSFetchReportsSuccessAndKeyCount(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	rec := newHookRecorder()
	cfg := iss.Config("app")
	cfg.RefetchCooldown = time.Nanosecond // every unknown kid may fetch
	cfg.Hooks = rec.hooks()
	v := hooksVerifier(t, cfg)
	ctx := context.Background()

	_, err := v.Verify(ctx, iss.AccessToken(cognitotest.WithClientID("app")))
	require.NoError(t, err)
	iss.RotateKey()
	_, err = v.Verify(ctx, iss.AccessToken(cognitotest.WithClientID("app")))
	require.NoError(t, err)

	_, fetches, cooldowns := rec.snapshot()
	require.Len(t, fetches, 2)
	assert.Zero(t, cooldowns)
	for i, f := range fetches {
		assert.Equal(t, iss.JWKSURL(), f.URL)
		assert.Equal(t, http.StatusOK, f.Status)
		assert.NoError(t, f.Err)
		assert.Positive(t, f.Duration)
		assert.Equal(t, i+1, f.Keys, "usable keys in the set fetched")
	}
	assert.Equal(t, iss.JWKSFetches(), len(fetches))
}

func TestOnJWKSFetchReportsFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		serve  http.HandlerFunc
		status int
	}{
		{"server error", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}, http.StatusServiceUnavailable},
		{"no usable keys", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"keys":[{"kty":"EC","kid":"ec"}]}`))
		}, http.StatusOK},
		{"not JSON", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`<html>`))
		}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iss := cognitotest.NewIssuer(t)
			iss.SetJWKSHandler(tc.serve)
			rec := newHookRecorder()
			cfg := iss.Config("app")
			cfg.Hooks = rec.hooks()
			_, err := hooksVerifier(t, cfg).Verify(context.Background(), iss.AccessToken(cognitotest.WithClientID("app")))
			require.ErrorIs(t, err, cognitojwt.ErrKeysUnavailable)

			outcomes, fetches, _ := rec.snapshot()
			require.Len(t, fetches, 1)
			assert.Equal(t, tc.status, fetches[0].Status)
			assert.Error(t, fetches[0].Err)
			assert.Zero(t, fetches[0].Keys)
			require.Len(t, outcomes, 1)
			assert.Equal(t, cognitojwt.ErrKeysUnavailable, cognitojwt.ErrorKind(outcomes[0].Err))
		})
	}

	t.Run("no response", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		rec := newHookRecorder()
		v := hooksVerifier(t, cognitojwt.Config{Issuer: srv.URL + "/pool", AllowAnyClient: true, Hooks: rec.hooks()})
		require.Error(t, v.Warm(context.Background()))
		_, fetches, _ := rec.snapshot()
		require.Len(t, fetches, 1)
		assert.Zero(t, fetches[0].Status, "no HTTP status without a response")
		assert.Error(t, fetches[0].Err)
		assert.Equal(t, srv.URL+"/pool/.well-known/jwks.json", fetches[0].URL)
	})
}

func TestOnJWKSFetchReportsBackgroundRefresh(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	rec := newHookRecorder()
	var offset atomic.Int64
	cfg := iss.Config("app")
	cfg.RefreshInterval = time.Minute
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	cfg.Hooks = rec.hooks()
	v := hooksVerifier(t, cfg)
	token := iss.AccessToken(cognitotest.WithClientID("app"))

	_, err := v.Verify(context.Background(), token)
	require.NoError(t, err)
	rec.nextFetch(t)

	offset.Store(int64(2 * time.Minute))
	_, err = v.Verify(context.Background(), token)
	require.NoError(t, err, "a stale set keeps serving while it refreshes")
	f := rec.nextFetch(t)
	assert.NoError(t, f.Err)
	assert.Equal(t, 1, f.Keys)
}

func TestOnCooldownReportsSuppressedRefetches(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	rec := newHookRecorder()
	cfg := iss.Config("app")
	cfg.RefetchCooldown = time.Hour
	cfg.Hooks = rec.hooks()
	v := hooksVerifier(t, cfg)
	ctx := context.Background()
	known := iss.AccessToken(cognitotest.WithClientID("app"))
	stranger, err := cognitotest.NewSigningKey()
	require.NoError(t, err)
	unknown := iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithKey(stranger))

	_, err = v.Verify(ctx, known)
	require.NoError(t, err)
	for range 3 {
		_, err = v.Verify(ctx, unknown)
		require.ErrorIs(t, err, cognitojwt.ErrUnknownKey)
	}
	_, err = v.Verify(ctx, iss.AccessToken(cognitotest.WithClientID("app")))
	require.NoError(t, err, "known keys keep working during the cooldown")

	// The first unknown kid refetches and opens the cooldown; the
	// others are held back by it.
	_, fetches, cooldowns := rec.snapshot()
	assert.Len(t, fetches, 2)
	assert.Equal(t, 2, cooldowns, "each unknown kid inside the cooldown is reported")
	assert.Equal(t, 2, iss.JWKSFetches())
}

func TestHooksUnderConcurrentVerifies(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	var verifies, hits, fetches atomic.Int64
	cfg := iss.Config("app")
	cfg.Hooks = cognitojwt.Hooks{
		OnVerify: func(o cognitojwt.VerifyOutcome) {
			verifies.Add(1)
			if o.CacheHit {
				hits.Add(1)
			}
		},
		OnJWKSFetch: func(cognitojwt.JWKSFetch) { fetches.Add(1) },
	}
	v := hooksVerifier(t, cfg)
	tokens := []string{
		iss.AccessToken(cognitotest.WithClientID("app")),
		iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithUsername("bob")),
	}
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				_, err := v.Verify(context.Background(), tokens[(w+i)%len(tokens)])
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(workers*rounds), verifies.Load())
	assert.Equal(t, int64(1), fetches.Load(), "concurrent first verifies share one fetch")
	assert.Positive(t, hits.Load())
	assert.Less(t, hits.Load(), int64(workers*rounds))
}

// logLines captures JSON log records; the fetcher writes from its own
// goroutine.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *logLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logLines) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.text()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		out = append(out, rec)
	}
	return out
}

func (l *logLines) find(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, rec := range l.records(t) {
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func TestLoggerRecordsJWKSFetchesAndCooldowns(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	var logs logLines
	cfg := iss.Config("app")
	cfg.RefetchCooldown = time.Hour
	cfg.Logger = logs.logger()
	v := hooksVerifier(t, cfg)
	ctx := context.Background()
	token := iss.AccessToken(cognitotest.WithClientID("app"))
	stranger, err := cognitotest.NewSigningKey()
	require.NoError(t, err)
	unknown := iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithKey(stranger))

	_, err = v.Verify(ctx, token)
	require.NoError(t, err)
	for range 2 {
		_, err = v.Verify(ctx, unknown)
		require.ErrorIs(t, err, cognitojwt.ErrUnknownKey)
	}

	// The first fetch, then the unknown kid's refetch; the second
	// unknown kid meets the cooldown.
	fetched := logs.find(t, "cognitojwt: JWKS fetched")
	require.Len(t, fetched, 2, logs.text())
	assert.Equal(t, "INFO", fetched[0]["level"])
	assert.Equal(t, iss.JWKSURL(), fetched[0]["url"])
	assert.Equal(t, float64(200), fetched[0]["status"])
	assert.Equal(t, float64(1), fetched[0]["keys"])
	assert.Positive(t, fetched[0]["duration"], "duration is logged (in nanoseconds by the JSON handler)")

	cooldown := logs.find(t, "cognitojwt: JWKS refetch suppressed by cooldown")
	require.Len(t, cooldown, 1, logs.text())
	assert.Equal(t, "DEBUG", cooldown[0]["level"])
	assert.Equal(t, iss.JWKSURL(), cooldown[0]["url"])

	for _, secret := range []string{token, unknown, strings.Split(token, ".")[1], strings.Split(unknown, ".")[2]} {
		assert.NotContains(t, logs.text(), secret, "no token bytes in logs")
	}
}

func TestLoggerRecordsFailedFetchesAndSkippedKeys(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	var logs logLines
	cfg := iss.Config("app")
	cfg.Logger = logs.logger()
	cfg.RefetchCooldown = time.Nanosecond

	iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "nope", http.StatusBadGateway)
	}))
	v := hooksVerifier(t, cfg)
	require.ErrorIs(t, v.Warm(context.Background()), cognitojwt.ErrKeysUnavailable)
	failed := logs.find(t, "cognitojwt: JWKS fetch failed")
	require.Len(t, failed, 1, logs.text())
	assert.Equal(t, "WARN", failed[0]["level"])
	assert.Equal(t, float64(http.StatusBadGateway), failed[0]["status"])
	assert.Contains(t, failed[0]["error"], "502")
	assert.Contains(t, failed[0], "duration")

	// A set with one usable key and one of another type: the fetch succeeds
	// and the skipped key is reported.
	var set map[string][]json.RawMessage
	require.NoError(t, json.Unmarshal(iss.JWKS(), &set))
	set["keys"] = append(set["keys"], json.RawMessage(`{"kty":"EC","kid":"ec-key"}`))
	body, err := json.Marshal(set)
	require.NoError(t, err)
	iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	require.NoError(t, v.Warm(context.Background()))
	skipped := logs.find(t, "cognitojwt: JWKS keys skipped")
	require.Len(t, skipped, 1, logs.text())
	assert.Equal(t, "WARN", skipped[0]["level"])
	assert.Contains(t, skipped[0]["reasons"], "key 1: not an RSA key")
	fetched := logs.find(t, "cognitojwt: JWKS fetched")
	require.Len(t, fetched, 1)
	assert.Equal(t, float64(1), fetched[0]["keys"])
}

func TestMiddlewareLogsRejectionsWithoutSecrets(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	var logs logLines
	v := hooksVerifier(t, iss.Config("app"))
	protect := cognitojwt.Middleware(v, cognitojwt.WithLogger(logs.logger()))
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux := http.NewServeMux()
	mux.Handle("GET /orders/{id}", protect(ok))
	mux.Handle("GET /admin/", protect(authz.RequireAnyGroup("admin")(ok)))

	const username, tenant = "mallory-user", "tenant-secret-value"
	expired := iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithUsername(username),
		cognitotest.WithPreTokenGenerationClaim("custom:tenant", tenant), cognitotest.WithLifetime(-time.Minute))
	member := iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithUsername(username),
		cognitotest.WithGroups("staff"))
	wrongClient := iss.AccessToken(cognitotest.WithClientID("client-value-secret"), cognitotest.WithUsername(username))

	for _, tc := range []struct {
		name, path string
		header     []string
		status     int
		kind       error
		route      string
	}{
		{"expired", "/orders/42", []string{"Bearer " + expired}, http.StatusUnauthorized, cognitojwt.ErrExpired, "GET /orders/{id}"},
		{"wrong client", "/orders/7", []string{"Bearer " + wrongClient}, http.StatusUnauthorized, cognitojwt.ErrWrongClient, "GET /orders/{id}"},
		{"no token", "/orders/1", nil, http.StatusUnauthorized, cognitojwt.ErrNoToken, "GET /orders/{id}"},
		{"repeated header", "/orders/1", []string{"Bearer " + member, "Bearer " + member}, http.StatusBadRequest, cognitojwt.ErrInvalidRequest, "GET /orders/{id}"},
		{"policy", "/admin/users", []string{"Bearer " + member}, http.StatusForbidden, cognitojwt.ErrInsufficientScope, "GET /admin/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(logs.find(t, "cognitojwt: request rejected"))
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			for _, h := range tc.header {
				req.Header.Add("Authorization", h)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			require.Equal(t, tc.status, rec.Code)

			rejected := logs.find(t, "cognitojwt: request rejected")
			require.Len(t, rejected, before+1, logs.text())
			last := rejected[len(rejected)-1]
			assert.Equal(t, "INFO", last["level"])
			assert.Equal(t, cognitojwt.ErrorCode(tc.kind), last["kind"])
			assert.Equal(t, http.MethodGet, last["method"])
			assert.Equal(t, tc.path, last["path"])
			assert.Equal(t, tc.route, last["route"])
			assert.NotEmpty(t, last["detail"])
		})
	}

	text := logs.text()
	for _, token := range []string{expired, member, wrongClient} {
		for _, segment := range strings.Split(token, ".") {
			assert.NotContains(t, text, segment, "no token bytes in logs")
		}
	}
	for _, value := range []string{username, tenant, "client-value-secret", "staff", iss.CurrentKey().KeyID} {
		assert.NotContains(t, text, value, "no claim values or kids in logs")
	}

	// Accepted requests are not logged.
	before := len(logs.records(t))
	req := httptest.NewRequest(http.MethodGet, "/orders/9", nil)
	req.Header.Set("Authorization", "Bearer "+member)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Len(t, logs.records(t), before)
}

func TestOnCooldownIgnoresBackgroundRefreshes(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	rec := newHookRecorder()
	var logs logLines
	var offset atomic.Int64
	cfg := iss.Config("app")
	cfg.RefreshInterval = time.Minute
	cfg.RefetchCooldown = time.Minute
	cfg.CacheSize = -1
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	cfg.Hooks = rec.hooks()
	cfg.Logger = logs.logger()
	v := hooksVerifier(t, cfg)
	token := iss.AccessToken(cognitotest.WithClientID("app"))
	_, err := v.Verify(context.Background(), token)
	require.NoError(t, err)
	rec.nextFetch(t)

	// The set goes stale and its refresh fails: the stale keys keep
	// serving, and requests that find the next refresh held back by the
	// cooldown carry no unknown kid, so nothing was suppressed for them.
	iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	offset.Store(int64(2 * time.Minute))
	_, err = v.Verify(context.Background(), token)
	require.NoError(t, err)
	failed := rec.nextFetch(t)
	require.Error(t, failed.Err)
	for range 3 {
		_, err = v.Verify(context.Background(), token)
		require.NoError(t, err)
	}
	_, _, cooldowns := rec.snapshot()
	assert.Zero(t, cooldowns)
	assert.Empty(t, logs.find(t, "cognitojwt: JWKS refetch suppressed by cooldown"))
}
