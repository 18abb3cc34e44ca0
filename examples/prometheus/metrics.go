package main

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cognitojwt/cognitojwt"
)

// metrics turns cognitojwt's hooks into Prometheus series. Label values
// come from small fixed sets (outcomes, cache, HTTP status), never from
// tokens, so the series count stays bounded.
type metrics struct {
	verifications *prometheus.CounterVec
	verifyLatency *prometheus.HistogramVec
	fetches       *prometheus.CounterVec
	fetchLatency  prometheus.Histogram
	keys          prometheus.Gauge
	suppressed    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognitojwt_verifications_total",
			Help: "Token verifications by outcome (ok or the error kind) and verified-token cache use.",
		}, []string{"outcome", "cache"}),
		verifyLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cognitojwt_verification_duration_seconds",
			Help: "Time Verify took, by cache use; misses include any JWKS fetch they waited for.",
			// From a cache hit (microseconds) to a fetch on the request path.
			Buckets: []float64{.00001, .00005, .0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5},
		}, []string{"cache"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognitojwt_jwks_fetches_total",
			Help: "JWKS fetches by result and HTTP status (0 when no response arrived).",
		}, []string{"result", "status"}),
		fetchLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cognitojwt_jwks_fetch_duration_seconds",
			Help:    "Time a JWKS fetch took.",
			Buckets: prometheus.DefBuckets,
		}),
		keys: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cognitojwt_jwks_keys",
			Help: "Usable signing keys in the last successfully fetched JWKS.",
		}),
		suppressed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cognitojwt_jwks_refetch_suppressed_total",
			Help: "Unknown kids that would have caused a JWKS fetch inside the refetch cooldown.",
		}),
	}
	reg.MustRegister(m.verifications, m.verifyLatency, m.fetches, m.fetchLatency, m.keys, m.suppressed)
	return m
}

// hooks returns the cognitojwt.Hooks that feed these metrics.
func (m *metrics) hooks() cognitojwt.Hooks {
	return cognitojwt.Hooks{
		OnVerify: func(o cognitojwt.VerifyOutcome) {
			cache := "miss"
			if o.CacheHit {
				cache = "hit"
			}
			m.verifications.WithLabelValues(outcome(o.Err), cache).Inc()
			m.verifyLatency.WithLabelValues(cache).Observe(o.Duration.Seconds())
		},
		OnJWKSFetch: func(f cognitojwt.JWKSFetch) {
			result := "ok"
			if f.Err != nil {
				result = "error"
			} else {
				m.keys.Set(float64(f.Keys))
			}
			m.fetches.WithLabelValues(result, strconv.Itoa(f.Status)).Inc()
			m.fetchLatency.Observe(f.Duration.Seconds())
		},
		OnCooldown: m.suppressed.Inc,
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
