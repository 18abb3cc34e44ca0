package main

import (
	"context"
	"errors"
	"go.uber.org/goleak"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// collected reads every metric the reader holds, by name.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func collected(t *testing.T, reader sdkmetric.Reader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

func sumFor(t *testing.T, m metricdata.Metrics, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is %T, not an int64 sum", m.Name, m.Data)
	}
	want := attribute.NewSet(attrs...)
	for _, dp := range sum.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value
		}
	}
	return 0
}

func newTestVerifier(t *testing.T, pool *cognitotest.Issuer) (*cognitojwt.Verifier, sdkmetric.Reader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })
	inst, err := newInstruments(provider.Meter("test"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := pool.Config(cognitotest.DefaultClientID)
	cfg.RefetchCooldown = time.Hour
	cfg.Hooks = inst.hooks()
	v, err := cognitojwt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v, reader
}

func TestHooksRecordMetrics(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	v, reader := newTestVerifier(t, pool)
	stranger, err := cognitotest.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	good := pool.AccessToken()
	for _, token := range []string{
		good, good,
		pool.AccessToken(cognitotest.WithLifetime(-time.Minute)),
		// The first unknown kid refetches, the second meets the cooldown.
		pool.AccessToken(cognitotest.WithKey(stranger)),
		pool.AccessToken(cognitotest.WithKey(stranger)),
	} {
		_, _ = v.Verify(context.Background(), token)
	}

	got := collected(t, reader)
	verifications := got["cognitojwt.verifications"]
	for _, tc := range []struct {
		outcome, cache string
		want           int64
	}{
		{"ok", "miss", 1}, {"ok", "hit", 1}, {"expired", "miss", 1}, {"unknown_key", "miss", 2},
	} {
		if n := sumFor(t, verifications, attribute.String("outcome", tc.outcome), attribute.String("cache", tc.cache)); n != tc.want {
			t.Errorf("verifications{%s,%s} = %d, want %d", tc.outcome, tc.cache, n, tc.want)
		}
	}
	if n := sumFor(t, got["cognitojwt.jwks.fetches"], attribute.String("result", "ok"), attribute.Int("http.response.status_code", 200)); n != 2 {
		t.Errorf("fetches{ok,200} = %d, want 2", n)
	}
	if n := sumFor(t, got["cognitojwt.jwks.refetch_suppressed"]); n != 1 {
		t.Errorf("refetch_suppressed = %d, want 1", n)
	}
	keys, ok := got["cognitojwt.jwks.keys"].Data.(metricdata.Gauge[int64])
	if !ok || len(keys.DataPoints) != 1 || keys.DataPoints[0].Value != 1 {
		t.Errorf("jwks.keys = %+v, want one point of 1", got["cognitojwt.jwks.keys"].Data)
	}
	latency, ok := got["cognitojwt.verification.duration"].Data.(metricdata.Histogram[float64])
	if !ok || len(latency.DataPoints) != 2 {
		t.Fatalf("verification.duration = %+v, want hit and miss histograms", got["cognitojwt.verification.duration"].Data)
	}
	var count uint64
	for _, dp := range latency.DataPoints {
		count += dp.Count
	}
	if count != 5 {
		t.Errorf("verification.duration counted %d verifications, want 5", count)
	}
}

func TestFailedFetchIsRecorded(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	pool.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	v, reader := newTestVerifier(t, pool)
	if _, err := v.Verify(context.Background(), pool.AccessToken()); !errors.Is(err, cognitojwt.ErrKeysUnavailable) {
		t.Fatalf("Verify: %v", err)
	}
	got := collected(t, reader)
	if n := sumFor(t, got["cognitojwt.jwks.fetches"], attribute.String("result", "error"), attribute.Int("http.response.status_code", 502)); n != 1 {
		t.Errorf("fetches{error,502} = %d, want 1", n)
	}
	if n := sumFor(t, got["cognitojwt.verifications"], attribute.String("outcome", "keys_unavailable"), attribute.String("cache", "miss")); n != 1 {
		t.Errorf("verifications{keys_unavailable} = %d, want 1", n)
	}
	if _, ok := got["cognitojwt.jwks.keys"]; ok {
		t.Error("no key count is recorded before a fetch succeeds")
	}
}
