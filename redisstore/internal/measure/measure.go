// Package measure holds what the module's measuring commands (cmd/fleet
// and cmd/convergence) share: a fleet of revocation lists, each on a
// Redis client of its own as separate servers would be, and the way their
// figures are read and printed.
package measure

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/redisstore"
)

// Instances are revocation lists, each on its own Redis client.
type Instances struct {
	Clients []*redis.Client
	Lists   []*redisstore.Revocations
}

// Add starts a list on rdb with opts, its log discarded, and keeps both;
// on failure it closes rdb.
func (f *Instances) Add(ctx context.Context, rdb *redis.Client, opts ...redisstore.Option) error {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	l, err := redisstore.NewRevocations(ctx, rdb, append([]redisstore.Option{redisstore.WithLogger(quiet)}, opts...)...)
	if err != nil {
		_ = rdb.Close()
		return err
	}
	f.Clients = append(f.Clients, rdb)
	f.Lists = append(f.Lists, l)
	return nil
}

// Close closes every list, then every client.
func (f *Instances) Close() {
	for _, l := range f.Lists {
		_ = l.Close()
	}
	for _, c := range f.Clients {
		_ = c.Close()
	}
}

// WaitAll polls every instance until each one refuses c, and returns how
// long that took from start, or false once limit has passed. Polling
// every 100 µs bounds the error of the measurement well below the
// figures measured.
func (f *Instances) WaitAll(c *cognitojwt.Claims, start time.Time, limit time.Duration) (time.Duration, bool) {
	pending := slices.Clone(f.Lists)
	for {
		pending = slices.DeleteFunc(pending, func(l *redisstore.Revocations) bool { return l.Revoked(c) })
		if len(pending) == 0 {
			return time.Since(start), true
		}
		if time.Since(start) > limit {
			return time.Since(start), false
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// Percentile is the p-th percentile (nearest rank) of sorted, which must
// not be empty.
func Percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(i-1, len(sorted)-1))]
}

// Ms prints d in milliseconds, as the result tables do.
func Ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// LoadAvg reads the 1, 5 and 15 minute load averages where the system
// has them: the host's other load moves every figure measured.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// QuietLogger is a go-redis logger that drops everything: runs that kill
// the server make thousands of failed dials.
type QuietLogger struct{}

// Printf drops the message.
func (QuietLogger) Printf(context.Context, string, ...any) {}
