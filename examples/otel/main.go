// Command otel records cognitojwt's hooks as OpenTelemetry metrics and
// exports them to standard output every -interval, beside a small
// protected API. Swap the stdout exporter for OTLP or Prometheus in a real
// service; the hooks wiring in metrics.go stays the same.
//
//	go run . -issuer http://127.0.0.1:9229/local_Dev -interval 10s
//	curl -H "Authorization: Bearer $TOKEN" localhost:8080/api/me
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

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	pool := flag.String("pool", "", "Cognito user-pool ID, such as eu-west-1_AbC123")
	issuer := flag.String("issuer", "", "issuer URL instead of the pool's, such as http://127.0.0.1:9229/local_Dev")
	clientIDs := flag.String("client-id", "local-client", "accepted app client IDs, comma-separated")
	interval := flag.Duration("interval", 30*time.Second, "how often metrics are exported")
	flag.Parse()
	if err := run(*addr, *pool, *issuer, strings.Split(*clientIDs, ","), *interval); err != nil {
		fmt.Fprintln(os.Stderr, "otel example:", err)
		os.Exit(1)
	}
}

func run(addr, pool, issuer string, clientIDs []string, interval time.Duration) error {
	exporter, err := stdoutmetric.New()
	if err != nil {
		return err
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exporter, sdkmetric.WithInterval(interval))))
	defer func() {
		// Shutdown exports what was recorded since the last interval.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = provider.Shutdown(ctx)
	}()
	inst, err := newInstruments(provider.Meter("github.com/cognitojwt/cognitojwt"))
	if err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: pool,
		Issuer:     issuer,
		ClientIDs:  clientIDs,
		Logger:     logger,
		Hooks:      inst.hooks(),
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: newAPI(v, logger), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("listening", "addr", "http://"+addr, "issuer", v.Issuer())
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newAPI(v cognitojwt.TokenVerifier, logger *slog.Logger) http.Handler {
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
	mux.Handle("/api/", cognitojwt.Middleware(v, cognitojwt.WithLogger(logger))(api))
	return mux
}
