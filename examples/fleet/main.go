// Command fleet shows a revocation list shared by two API instances
// through Redis, against a local Cognito user pool (cognitolocal), offline.
//
// The story: alice signs in on the "free" plan. Both instances admit her
// access token. The app upgrades her (AdminUpdateUserAttributes
// custom:plan=premium) and records RevokeSubject(sub, now) in the shared
// list, because her token still says "free". Her old token is then refused
// by both instances, with a description telling the client to refresh; the
// refreshed token says "premium" and both instances admit it.
//
//	go run .                        # starts a redis-server on a free loopback port
//	go run . -redis 127.0.0.1:6379  # or uses a running one
//
// A pre-token-generation trigger copies custom:plan into the access token,
// as a V2_0 trigger does in Cognito (access tokens carry no custom
// attributes otherwise).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

func main() {
	addr := flag.String("redis", "", "address of a running Redis (default: start a redis-server on a free loopback port)")
	flag.Parse()
	if err := run(context.Background(), *addr, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

// clock is the story's clock, shared by the pool, the verifiers and the
// revocation lists. Tokens carry their issue time in whole seconds and a
// RevokeSubject cut-off refuses the tokens of earlier seconds only, so the
// story moves the clock on one second between the sign-in and the upgrade
// (a user does not upgrade in the second they sign in) rather than
// sleeping; the refresh right after the upgrade passes in its second.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// copyPlan is the pre-token-generation trigger: it puts the user's plan in
// the access token, so the API can decide without a lookup.
func copyPlan(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{
		"plan": ev.Request.UserAttributes["custom:plan"],
	}
	return ev, nil
}

// instance is one API server with its own Redis client, revocation list
// and verifier.
type instance struct {
	name string
	rdb  *redis.Client
	revs *redisstore.Revocations
	srv  *httptest.Server
}

func newInstance(ctx context.Context, name, redisAddr string, pool *cognitolocal.Server, idp *cip.Client, clk *clock) (*instance, error) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, DisableIdentity: true})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	revs, err := redisstore.NewRevocations(ctx, rdb, redisstore.WithClock(clk.Now), redisstore.WithLogger(quiet))
	if err != nil {
		_ = rdb.Close()
		return nil, err
	}
	v, err := cognitojwt.New(cognitojwt.Config{
		Issuer:      pool.Issuer(),
		ClientIDs:   []string{cognitolocal.DefaultClientID},
		TokenUse:    cognitojwt.AccessToken,
		Now:         clk.Now,
		Revocations: revs,
	})
	if err != nil {
		_ = revs.Close()
		_ = rdb.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plan", func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		plan, _ := c.Get("plan")
		fmt.Fprintf(w, "%v", plan)
	})
	// POST /upgrade: after payment, say. Cognito gets the new plan; the
	// fleet is told that every token issued before now is stale.
	mux.HandleFunc("POST /upgrade", func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		if _, err := idp.AdminUpdateUserAttributes(r.Context(), &cip.AdminUpdateUserAttributesInput{
			UserPoolId:     aws.String(pool.PoolID()),
			Username:       aws.String(c.Username),
			UserAttributes: []types.AttributeType{{Name: aws.String("custom:plan"), Value: aws.String("premium")}},
		}); err != nil {
			http.Error(w, "upgrade failed", http.StatusBadGateway)
			return
		}
		// ErrQueued means the upgrade stands and this instance already
		// refuses the old tokens; the others learn it when Redis is back.
		if err := revs.RevokeSubject(r.Context(), c.Subject, clk.Now()); err != nil && !errors.Is(err, redisstore.ErrQueued) {
			http.Error(w, "upgrade recorded, revocation failed", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "premium: refresh your tokens")
	})
	return &instance{name: name, rdb: rdb, revs: revs, srv: httptest.NewServer(cognitojwt.Middleware(v)(mux))}, nil
}

func (in *instance) close() {
	in.srv.Close()
	_ = in.revs.Close()
	_ = in.rdb.Close()
}

// call sends a request with the token: the body on success, or the status
// and the WWW-Authenticate header of the refusal.
func (in *instance) call(ctx context.Context, method, path, token string) (body string, status int, challenge string, err error) {
	req, err := http.NewRequestWithContext(ctx, method, in.srv.URL+path, nil)
	if err != nil {
		return "", 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := in.srv.Client().Do(req)
	if err != nil {
		return "", 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, resp.Header.Get("WWW-Authenticate"), err
}

// run tells the story on out and returns an error as soon as a step does
// not go as told.
func run(ctx context.Context, redisAddr string, out io.Writer) error {
	clk := &clock{t: time.Now()}
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{Now: clk.Now, PreTokenGeneration: copyPlan})
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := pool.CreateUser("alice", "Correct-Horse-1", map[string]string{"email": "alice@example.com", "custom:plan": "free"}); err != nil {
		return err
	}

	// The official SDK against the local pool: any region, any static
	// credentials.
	idp := cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(pool.Endpoint()),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})

	if redisAddr == "" {
		srv, err := redisserver.Start(redisserver.Config{})
		if err != nil {
			return err
		}
		defer srv.Stop()
		redisAddr = srv.Addr()
	}
	var fleet []*instance
	defer func() {
		for _, in := range fleet {
			in.close()
		}
	}()
	for _, name := range []string{"api-1", "api-2"} {
		in, err := newInstance(ctx, name, redisAddr, pool, idp, clk)
		if err != nil {
			return err
		}
		fleet = append(fleet, in)
	}
	fmt.Fprintf(out, "user pool %s, Redis %s, instances %s and %s\n", pool.Issuer(), redisAddr, fleet[0].srv.URL, fleet[1].srv.URL)

	auth, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(cognitolocal.DefaultClientID),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Correct-Horse-1"},
	})
	if err != nil {
		return err
	}
	oldToken := aws.ToString(auth.AuthenticationResult.AccessToken)
	refreshToken := aws.ToString(auth.AuthenticationResult.RefreshToken)
	if err := expectPlan(ctx, out, fleet, oldToken, "free", "signed in"); err != nil {
		return err
	}

	// The upgrade, on api-1, a second after the sign-in.
	clk.Advance(time.Second)
	body, status, _, err := fleet[0].call(ctx, http.MethodPost, "/upgrade", oldToken)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("upgrade: %d %s", status, body)
	}
	fmt.Fprintf(out, "api-1: upgrade: %s (AdminUpdateUserAttributes, then RevokeSubject)\n", body)

	// Both instances refuse the token that still says "free". api-2 hears
	// of it through Redis within milliseconds; the loop bounds the wait.
	for _, in := range fleet {
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, status, challenge, err := in.call(ctx, http.MethodGet, "/plan", oldToken)
			if err != nil {
				return err
			}
			if status == http.StatusUnauthorized {
				fmt.Fprintf(out, "%s: old token refused: %d %s\n", in.name, status, challenge)
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s still admits the old token (%d)", in.name, status)
			}
			time.Sleep(time.Millisecond)
		}
	}

	// The client refreshes at once, as the refusal asks: the new token is
	// of the cut-off's own second, which the cut-off admits.
	refreshed, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(cognitolocal.DefaultClientID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	if err != nil {
		return err
	}
	return expectPlan(ctx, out, fleet, aws.ToString(refreshed.AuthenticationResult.AccessToken), "premium", "refreshed")
}

func expectPlan(ctx context.Context, out io.Writer, fleet []*instance, token, want, step string) error {
	for _, in := range fleet {
		plan, status, challenge, err := in.call(ctx, http.MethodGet, "/plan", token)
		if err != nil {
			return err
		}
		if status != http.StatusOK || plan != want {
			return fmt.Errorf("%s, %s: got %d %q %s, want 200 %q", step, in.name, status, plan, challenge, want)
		}
		fmt.Fprintf(out, "%s: %s token admitted: plan %s\n", in.name, step, plan)
	}
	return nil
}
