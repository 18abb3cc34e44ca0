package main

import (
	"context"
	"errors"
	"fmt"
	"go.uber.org/goleak"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestHooksFeedMetrics(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	cfg := pool.Config(cognitotest.DefaultClientID)
	cfg.RefetchCooldown = time.Hour
	cfg.Hooks = m.hooks()
	v, err := cognitojwt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	good := pool.AccessToken()
	stranger, err := cognitotest.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{
		good, good, good,
		pool.AccessToken(cognitotest.WithLifetime(-time.Minute)),
		// The first unknown kid refetches, the second meets the cooldown.
		pool.AccessToken(cognitotest.WithKey(stranger)),
		pool.AccessToken(cognitotest.WithKey(stranger)),
		pool.AccessToken(cognitotest.WithClientID("other")),
	} {
		_, _ = v.Verify(ctx, token)
	}

	for _, tc := range []struct {
		outcome, cache string
		want           float64
	}{
		{"ok", "miss", 1},
		{"ok", "hit", 2},
		{"expired", "miss", 1},
		{"unknown_key", "miss", 2},
		{"wrong_client", "miss", 1},
	} {
		if got := testutil.ToFloat64(m.verifications.WithLabelValues(tc.outcome, tc.cache)); got != tc.want {
			t.Errorf("verifications{outcome=%q,cache=%q} = %v, want %v", tc.outcome, tc.cache, got, tc.want)
		}
	}
	if got := testutil.ToFloat64(m.fetches.WithLabelValues("ok", "200")); got != 2 {
		t.Errorf("fetches{ok,200} = %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.keys); got != 1 {
		t.Errorf("keys = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.suppressed); got != 1 {
		t.Errorf("suppressed = %v, want 1 (the unknown kid inside the cooldown)", got)
	}
	if n := testutil.CollectAndCount(m.verifyLatency); n != 2 {
		t.Errorf("latency histograms: %d series, want 2 (hit and miss)", n)
	}
}

func TestFailedFetchIsCounted(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	pool.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	m := newMetrics(prometheus.NewRegistry())
	cfg := pool.Config(cognitotest.DefaultClientID)
	cfg.Hooks = m.hooks()
	v, err := cognitojwt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(context.Background(), pool.AccessToken())
	if !errors.Is(err, cognitojwt.ErrKeysUnavailable) {
		t.Fatalf("Verify: %v", err)
	}
	if got := testutil.ToFloat64(m.fetches.WithLabelValues("error", "503")); got != 1 {
		t.Errorf("fetches{error,503} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.verifications.WithLabelValues("keys_unavailable", "miss")); got != 1 {
		t.Errorf("verifications{keys_unavailable} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.keys); got != 0 {
		t.Errorf("keys = %v after a failed first fetch, want 0", got)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	reg := prometheus.NewRegistry()
	cfg := pool.Config(cognitotest.DefaultClientID)
	cfg.Hooks = newMetrics(reg).hooks()
	v, err := cognitojwt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(v, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))

	req := httptest.NewRequest("GET", "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+pool.AccessToken())
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/me: %d %s", rec.Code, rec.Body)
	}

	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`cognitojwt_verifications_total{cache="miss",outcome="ok"} 1`,
		`cognitojwt_jwks_fetches_total{result="ok",status="200"} 1`,
		`cognitojwt_jwks_keys 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, firstLines(body, "cognitojwt_"))
		}
	}
}

func firstLines(body, prefix string) string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return fmt.Sprint(out)
}
