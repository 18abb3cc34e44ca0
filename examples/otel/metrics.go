package main

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/cognitojwt/cognitojwt"
)

// instruments turn cognitojwt's hooks into OpenTelemetry metrics.
// Attribute values come from small fixed sets, never from tokens.
type instruments struct {
	verifications metric.Int64Counter
	verifyLatency metric.Float64Histogram
	fetches       metric.Int64Counter
	fetchLatency  metric.Float64Histogram
	keys          metric.Int64Gauge
	suppressed    metric.Int64Counter
}

func newInstruments(meter metric.Meter) (*instruments, error) {
	var i instruments
	var err, e error
	i.verifications, e = meter.Int64Counter("cognitojwt.verifications",
		metric.WithDescription("Token verifications by outcome (ok or the error kind) and verified-token cache use."),
		metric.WithUnit("{verification}"))
	err = errors.Join(err, e)
	i.verifyLatency, e = meter.Float64Histogram("cognitojwt.verification.duration",
		metric.WithDescription("Time Verify took; cache misses include any JWKS fetch they waited for."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(.00001, .00005, .0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5))
	err = errors.Join(err, e)
	i.fetches, e = meter.Int64Counter("cognitojwt.jwks.fetches",
		metric.WithDescription("JWKS fetches by result and HTTP status (0 when no response arrived)."),
		metric.WithUnit("{fetch}"))
	err = errors.Join(err, e)
	i.fetchLatency, e = meter.Float64Histogram("cognitojwt.jwks.fetch.duration",
		metric.WithDescription("Time a JWKS fetch took."), metric.WithUnit("s"))
	err = errors.Join(err, e)
	i.keys, e = meter.Int64Gauge("cognitojwt.jwks.keys",
		metric.WithDescription("Usable signing keys in the last successfully fetched JWKS."), metric.WithUnit("{key}"))
	err = errors.Join(err, e)
	i.suppressed, e = meter.Int64Counter("cognitojwt.jwks.refetch_suppressed",
		metric.WithDescription("Unknown kids that would have caused a JWKS fetch inside the refetch cooldown."),
		metric.WithUnit("{kid}"))
	err = errors.Join(err, e)
	if err != nil {
		return nil, err
	}
	return &i, nil
}

var (
	cacheHit  = metric.WithAttributeSet(attribute.NewSet(attribute.String("cache", "hit")))
	cacheMiss = metric.WithAttributeSet(attribute.NewSet(attribute.String("cache", "miss")))
)

// hooks returns the cognitojwt.Hooks that record to these instruments.
// Hooks carry no context (they run inside Verify), so measurements are
// recorded without one.
func (i *instruments) hooks() cognitojwt.Hooks {
	ctx := context.Background()
	return cognitojwt.Hooks{
		OnVerify: func(o cognitojwt.VerifyOutcome) {
			cache := "miss"
			latencyAttrs := cacheMiss
			if o.CacheHit {
				cache, latencyAttrs = "hit", cacheHit
			}
			i.verifications.Add(ctx, 1, metric.WithAttributes(
				attribute.String("outcome", outcome(o.Err)), attribute.String("cache", cache)))
			i.verifyLatency.Record(ctx, o.Duration.Seconds(), latencyAttrs)
		},
		OnJWKSFetch: func(f cognitojwt.JWKSFetch) {
			result := "ok"
			if f.Err != nil {
				result = "error"
			} else {
				i.keys.Record(ctx, int64(f.Keys))
			}
			i.fetches.Add(ctx, 1, metric.WithAttributes(
				attribute.String("result", result), attribute.Int("http.response.status_code", f.Status)))
			i.fetchLatency.Record(ctx, f.Duration.Seconds())
		},
		OnCooldown: func() { i.suppressed.Add(ctx, 1) },
	}
}

// outcome labels a verification: "ok", or the error's stable code
// (cognitojwt.ErrorCode), a small fixed set fit for a label.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return cognitojwt.ErrorCode(err)
}
