// Command prometheus counts and times cognitojwt with Prometheus
// client_golang through the library's hooks, and serves the series at
// /metrics beside a small protected API. The library itself depends on no
// metrics package.
//
//	go run . -issuer http://127.0.0.1:9229/local_Dev     # a local dev-issuer
//	curl -H "Authorization: Bearer $TOKEN" localhost:8080/api/me
//	curl -s localhost:8080/metrics | grep cognitojwt_
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	pool := flag.String("pool", "", "Cognito user-pool ID, such as eu-west-1_AbC123")
	issuer := flag.String("issuer", "", "issuer URL instead of the pool's, such as http://127.0.0.1:9229/local_Dev")
	clientIDs := flag.String("client-id", "local-client", "accepted app client IDs, comma-separated")
	flag.Parse()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: *pool,
		Issuer:     *issuer,
		ClientIDs:  strings.Split(*clientIDs, ","),
		Logger:     logger,
		Hooks:      newMetrics(reg).hooks(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "prometheus example:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: newServer(v, reg, logger), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("listening", "addr", "http://"+*addr, "issuer", v.Issuer())
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "prometheus example:", err)
		os.Exit(1)
	}
}

func newServer(v cognitojwt.TokenVerifier, reg *prometheus.Registry, logger *slog.Logger) http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"username": c.Username, "groups": c.Groups})
	})
	api.Handle("GET /api/admin/", authz.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("admin area\n"))
	})))

	mux := http.NewServeMux()
	// In production, serve /metrics on an internal port instead.
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.Handle("/api/", cognitojwt.Middleware(v, cognitojwt.WithLogger(logger))(api))
	return mux
}
