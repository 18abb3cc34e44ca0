package cognitojwt_test

// Benchmarks for the targets of the verify hot path. Every number that is
// compared with another comes from the same `go test -bench` run:
//
//	go test -run '^$' -bench . -benchmem -cpu 1,2
//
// Ratios:
//   - BenchmarkVerifyCold reports x-floor: its own time divided by the
//     time of the floor (SHA-256 of the signing input plus
//     rsa.VerifyPKCS1v15) over the very same tokens, timed right after the
//     verifications inside the same benchmark invocation.
//     BenchmarkFloor prints the floor on its own as well.
//   - Parallel scaling: BenchmarkVerifyParallel's throughput on two cores
//     over one core is ns/op at -cpu 1 divided by ns/op at -cpu 2.
//   - Middleware overhead: BenchmarkMiddlewareOverhead excludes Verify by
//     design (its verifier returns fixed claims).
//   - Memory: BenchmarkCacheMemory reports heap bytes per cached token and
//     the extrapolation to 100,000 tokens.

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// The benchmark tokens carry Cognito's real issuer form and ID lengths, so
// that hashing and parsing see the sizes production sees.
const (
	benchPoolID   = "us-east-1_Bq7Xk2mPz"
	benchClientID = "4f8k2m9q7r1s3t5v6w8x0y2z4a"
	benchIssuer   = "https://cognito-idp.us-east-1.amazonaws.com/" + benchPoolID
)

// benchAccessClaims mirrors a Cognito access token, members in Cognito's order.
type benchAccessClaims struct {
	Sub       string   `json:"sub"`
	Groups    []string `json:"cognito:groups"`
	Iss       string   `json:"iss"`
	Version   int      `json:"version"`
	ClientID  string   `json:"client_id"`
	OriginJTI string   `json:"origin_jti"`
	EventID   string   `json:"event_id"`
	TokenUse  string   `json:"token_use"`
	Scope     string   `json:"scope"`
	AuthTime  int64    `json:"auth_time"`
	Exp       int64    `json:"exp"`
	Iat       int64    `json:"iat"`
	JTI       string   `json:"jti"`
	Username  string   `json:"username"`
}

// benchToken is one minted token with what the floor needs precomputed.
type benchToken struct {
	raw     string
	signing []byte // header.payload, as hashed
	sig     []byte // decoded signature
}

var benchState struct {
	once sync.Once
	key  *cognitotest.SigningKey

	mu     sync.Mutex
	tokens []benchToken
}

func benchKey(b *testing.B) *cognitotest.SigningKey {
	b.Helper()
	benchState.once.Do(func() {
		k, err := cognitotest.NewSigningKey()
		if err != nil {
			panic(err)
		}
		benchState.key = k
	})
	return benchState.key
}

// benchTokens returns n distinct valid access tokens, all signed by
// benchKey. Signing costs about a millisecond each, so the pool is minted
// once per process, on every core, and grown only when a benchmark needs
// more.
func benchTokens(b *testing.B, n int) []benchToken {
	b.Helper()
	key := benchKey(b)
	benchState.mu.Lock()
	defer benchState.mu.Unlock()
	have := len(benchState.tokens)
	if have >= n {
		return benchState.tokens[:n]
	}
	more := make([]benchToken, n-have)
	// Every core, whatever -cpu says: minting is set-up, not measurement.
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(more); i += workers {
				more[i] = mintBenchToken(key)
			}
		}()
	}
	wg.Wait()
	benchState.tokens = append(benchState.tokens, more...)
	return benchState.tokens[:n]
}

func mintBenchToken(key *cognitotest.SigningKey) benchToken {
	now := time.Now()
	header := fmt.Sprintf(`{"kid":%q,"alg":"RS256"}`, key.KeyID)
	payload, err := json.Marshal(benchAccessClaims{
		Sub:       uuid(),
		Groups:    []string{"admin", "editors"},
		Iss:       benchIssuer,
		Version:   2,
		ClientID:  benchClientID,
		OriginJTI: uuid(),
		EventID:   uuid(),
		TokenUse:  "access",
		Scope:     "openid profile email aws.cognito.signin.user.admin",
		AuthTime:  now.Unix(),
		Exp:       now.Add(12 * time.Hour).Unix(),
		Iat:       now.Unix(),
		JTI:       uuid(),
		Username:  "alice.example",
	})
	if err != nil {
		panic(err)
	}
	raw := cognitotest.SignRaw(key.Private, []byte(header), payload)
	dot := strings.LastIndexByte(raw, '.')
	sig, err := base64.RawURLEncoding.DecodeString(raw[dot+1:])
	if err != nil {
		panic(err)
	}
	return benchToken{raw: raw, signing: []byte(raw[:dot]), sig: sig}
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// benchJWKS serves benchKey on loopback for the duration of the benchmark.
func benchJWKS(b *testing.B) *cognitotest.Issuer {
	b.Helper()
	return cognitotest.NewIssuer(b, cognitotest.WithPoolID(benchPoolID), cognitotest.WithSigningKey(*benchKey(b)))
}

// newBenchVerifier returns a verifier whose JWKS is already fetched, so the
// benchmarks measure verification, never the network.
func newBenchVerifier(b *testing.B, jwks *cognitotest.Issuer, cacheSize int) *cognitojwt.Verifier {
	b.Helper()
	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: benchPoolID,
		ClientIDs:  []string{benchClientID},
		JWKSURL:    jwks.JWKSURL(),
		CacheSize:  cacheSize,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := v.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	return v
}

// floorTime runs the floor n times over toks, cycling from index from,
// and returns the elapsed time. It allocates nothing beyond what the
// floor itself does (rsa.VerifyPKCS1v15's own), so that no garbage of the
// benchmark's making is collected on either side of a quotient.
func floorTime(b *testing.B, pub *rsa.PublicKey, toks []benchToken, from, n int) time.Duration {
	b.Helper()
	start := time.Now()
	for i := range n {
		t := &toks[(from+i)%len(toks)]
		digest := sha256.Sum256(t.signing)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], t.sig); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// cpuMeter reports the process's CPU time per op (garbage collection
// included) as cpu-ns/op: on a shared host it stays put when wall time
// does not.
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPU() cpuMeter {
	t, ok := cputime.Process()
	return cpuMeter{start: t, ok: ok}
}

func (m cpuMeter) report(b *testing.B) {
	b.Helper()
	end, ok := cputime.Process()
	if m.ok && ok && b.N > 0 {
		b.ReportMetric(float64(end-m.start)/float64(b.N), "cpu-ns/op")
	}
}

// coldPool is how many distinct tokens the cold benchmarks cycle through.
const coldPool = 2048

// BenchmarkFloor is the cost no verifier can avoid: SHA-256 of the signing
// input and the RSA-2048 PKCS#1 v1.5 check, on the tokens the cold
// benchmarks verify.
func BenchmarkFloor(b *testing.B) {
	toks := benchTokens(b, coldPool)
	pub := &benchKey(b).Private.PublicKey
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	floorTime(b, pub, toks, 0, b.N)
	cpu.report(b)
}

// BenchmarkVerifyCold verifies tokens the verifier has never seen, with the
// JWKS already cached.
//
//   - cache=off: Config.CacheSize -1, so nothing is remembered and every
//     call does the full check; the pool cycles.
//   - cache=on: the default cache, filling. Each round gets a fresh
//     verifier, so every token of the round is new to it; the timed cost
//     includes hashing the token for the cache and inserting the claims.
//   - cache=full: the default cache brought to capacity by tokens verified
//     outside the timer, then fed tokens it has never seen, so insertions
//     also evict.
//
// Each reports x-floor, its time over the floor's on the same tokens. The
// floor runs in batches interleaved with the verifications, so that load
// from elsewhere on the machine weighs on both sides of the quotient alike.
func BenchmarkVerifyCold(b *testing.B) {
	b.Run("cache=off", func(b *testing.B) {
		toks := benchTokens(b, coldPool)
		v := newBenchVerifier(b, benchJWKS(b), -1)
		runCold(b, toks, len(toks), func(int) *cognitojwt.Verifier { return v })
	})
	b.Run("cache=on", func(b *testing.B) {
		toks := benchTokens(b, coldPool)
		jwks := benchJWKS(b)
		runCold(b, toks, len(toks), func(int) *cognitojwt.Verifier {
			return newBenchVerifier(b, jwks, 0)
		})
	})
	b.Run("cache=full", func(b *testing.B) {
		const fill = cognitojwt.DefaultCacheSize
		const fresh = 4096
		all := benchTokens(b, fill+fresh)
		jwks := benchJWKS(b)
		runCold(b, all[fill:], fresh, func(int) *cognitojwt.Verifier {
			v := newBenchVerifier(b, jwks, 0)
			verifyConcurrently(b, v, all[:fill])
			return v
		})
	})
}

// coldBatch is how many verifications run between two floor batches.
const coldBatch = 128

// runCold verifies toks cyclically, b.N times, asking round for the
// verifier to use (outside the timer) every roundLen verifications. It
// reports x-floor, the quotient of wall times, and x-floor-cpu, the
// quotient of the process's CPU times (garbage collection included), which
// stays put when other programs load the machine.
func runCold(b *testing.B, toks []benchToken, roundLen int, round func(int) *cognitojwt.Verifier) {
	b.Helper()
	pub := &benchKey(b).Private.PublicKey
	ctx := context.Background()
	var v *cognitojwt.Verifier
	var floorWall, floorCPU, ownCPU time.Duration
	cpuOK := true
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	for done := 0; done < b.N; {
		if done%roundLen == 0 {
			v = round(done / roundLen)
		}
		n := min(coldBatch, b.N-done, roundLen-done%roundLen)
		// The CPU clock is read inside the timer so that the heap
		// statistics Start/StopTimer gather count on neither side.
		b.StartTimer()
		c0, ok0 := cputime.Process()
		for i := done; i < done+n; i++ {
			if _, err := v.Verify(ctx, toks[i%len(toks)].raw); err != nil {
				b.Fatal(err)
			}
		}
		c1, ok1 := cputime.Process()
		b.StopTimer()
		c2, ok2 := cputime.Process()
		// The floor takes the tokens half the pool away: ones neither side
		// touched lately, as the verifier's were, so that neither finds
		// the other's data in the CPU caches.
		floorWall += floorTime(b, pub, toks, done+len(toks)/2, n)
		c3, ok3 := cputime.Process()
		cpuOK = cpuOK && ok0 && ok1 && ok2 && ok3
		ownCPU += c1 - c0
		floorCPU += c3 - c2
		done += n
	}
	if floorWall > 0 {
		b.ReportMetric(float64(b.Elapsed())/float64(floorWall), "x-floor")
	}
	if cpuOK && floorCPU > 0 {
		b.ReportMetric(float64(ownCPU)/float64(floorCPU), "x-floor-cpu")
	}
}

func verifyConcurrently(b *testing.B, v *cognitojwt.Verifier, toks []benchToken) {
	b.Helper()
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(toks); i += workers {
				if _, err := v.Verify(context.Background(), toks[i].raw); err != nil {
					failed.Store(&err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
}

// BenchmarkVerifyRepeated verifies a token the cache already holds: the
// path every request after a client's first one takes.
func BenchmarkVerifyRepeated(b *testing.B) {
	tok := benchTokens(b, 1)[0].raw
	runRepeated(b, newBenchVerifier(b, benchJWKS(b), 0), tok)
}

// runRepeated verifies tok once outside the timer, then b.N times.
func runRepeated(b *testing.B, v *cognitojwt.Verifier, tok string) {
	b.Helper()
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for range b.N {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkVerifyParallel runs both paths on every P. Compare ns/op at
// -cpu 1 and -cpu 2: their quotient is the throughput scaling.
//
//   - cold: cache off, goroutines share the pool through one counter.
//   - repeated: one token that every goroutine presents (the worst case
//     for sharing: all read one cache entry).
//   - repeated-into: the same with VerifyInto, each goroutine filling a
//     Claims of its own: the hit without the caller's allocation, and so
//     without the collector's work, which is what Verify's hits share
//     between cores.
//   - repeated-many: 6,000 cached tokens, the shape of real traffic: many
//     clients, and a cache of realistic size, which is most of the live
//     heap and so sets how often the collector runs. (6,000 stays below
//     the default capacity: a few of the tokens, under 0.2%, land in
//     crowded windows and are evicted, TestCacheKeepsTokensBelowCapacity.)
func BenchmarkVerifyParallel(b *testing.B) {
	b.Run("cold", func(b *testing.B) {
		toks := benchTokens(b, coldPool)
		v := newBenchVerifier(b, benchJWKS(b), -1)
		var next atomic.Uint64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				i := next.Add(1)
				if _, err := v.Verify(ctx, toks[i%uint64(len(toks))].raw); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("repeated", func(b *testing.B) {
		tok := benchTokens(b, 1)[0].raw
		v := newBenchVerifier(b, benchJWKS(b), 0)
		if _, err := v.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if _, err := v.Verify(ctx, tok); err != nil {
					b.Error(err)
					return
				}
			}
		})
		cpu.report(b)
	})
	b.Run("repeated-into", func(b *testing.B) {
		tok := benchTokens(b, 1)[0].raw
		v := newBenchVerifier(b, benchJWKS(b), 0)
		if _, err := v.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			// Each goroutine's own struct, as a server's per-request
			// state would hold it.
			dst := new(cognitojwt.Claims)
			for pb.Next() {
				if err := v.VerifyInto(ctx, tok, dst); err != nil {
					b.Error(err)
					return
				}
			}
		})
		cpu.report(b)
	})
	b.Run("repeated-many", func(b *testing.B) {
		toks := benchTokens(b, 6000)
		v := newBenchVerifier(b, benchJWKS(b), 0)
		verifyConcurrently(b, v, toks)
		var start atomic.Uint64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			// Each goroutine walks the pool from its own place, so they
			// meet on a shard only by chance, as distinct clients do.
			i := start.Add(uint64(len(toks) / 7))
			for pb.Next() {
				i++
				if _, err := v.Verify(ctx, toks[i%uint64(len(toks))].raw); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkCacheMemory fills fresh verifiers' caches with distinct real
// tokens and reports the live heap each cached token costs, measured after
// GC with the verifier and its key set already live before the fill, and
// that figure scaled to 100,000 tokens. One op is one token verified into
// the cache; the heap is read after each round of cacheRound tokens.
func BenchmarkCacheMemory(b *testing.B) {
	const cacheRound = 4096
	toks := benchTokens(b, cacheRound)
	jwks := benchJWKS(b)
	ctx := context.Background()
	var bytes, entries float64
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	for done := 0; done < b.N; {
		v := newBenchVerifier(b, jwks, 2*cacheRound)
		before := liveHeap()
		n := min(cacheRound, b.N-done)
		b.StartTimer()
		for i := range n {
			if _, err := v.Verify(ctx, toks[i].raw); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		// The callers' copies of the claims are garbage by now, so what
		// stays live is what the cache holds. Small rounds are left out:
		// their few entries drown in the noise of the heap.
		after := liveHeap()
		runtime.KeepAlive(v)
		if n >= cacheRound/4 {
			bytes += float64(int64(after) - int64(before))
			entries += float64(n)
		}
		done += n
	}
	if entries > 0 {
		b.ReportMetric(bytes/entries, "B/entry")
		b.ReportMetric(bytes/entries*100000/(1<<20), "MiB/100k")
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkVerifyWithStaleKeySet measures parallel verifications of a
// known kid, from the cache and without it, with a fresh key set and with
// a stale one whose refresh keeps failing: the two should cost the same,
// since deciding on a refresh takes no lock.
func BenchmarkVerifyWithStaleKeySet(b *testing.B) {
	for _, stale := range []bool{false, true} {
		for _, cacheSize := range []int{0, -1} {
			b.Run(fmt.Sprintf("stale=%v/cache=%v", stale, cacheSize >= 0), func(b *testing.B) {
				clk := newClock()
				iss := cognitotest.NewIssuer(b, cognitotest.WithSigningKey(*primaryKey()), cognitotest.WithClock(clk.Now))
				fetched := make(chan cognitojwt.JWKSFetch, 16)
				cfg := iss.Config(testClient)
				cfg.Now, cfg.RefreshInterval, cfg.CacheSize = clk.Now, time.Minute, cacheSize
				cfg.Hooks.OnJWKSFetch = func(f cognitojwt.JWKSFetch) { fetched <- f }
				v, err := cognitojwt.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := v.Warm(context.Background()); err != nil {
					b.Fatal(err)
				}
				<-fetched
				token := iss.AccessToken(cognitotest.WithLifetime(time.Hour))
				if stale {
					iss.SetJWKSHandler(serveStatus(http.StatusInternalServerError))
					clk.Advance(time.Minute)
					if _, err := v.Verify(context.Background(), token); err != nil {
						b.Fatal(err)
					}
					if f := <-fetched; f.Err == nil {
						b.Fatal("the refresh did not fail")
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := v.Verify(context.Background(), token); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}
