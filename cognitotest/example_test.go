package cognitotest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func ExampleNewIssuer() {
	// NewIssuer belongs in tests: it fails the test if the issuer cannot
	// start, and stops it when the test ends.
	//
	//	func TestOrders(t *testing.T) {
	//		pool := cognitotest.NewIssuer(t, cognitotest.WithPoolID("eu-west-1_Orders"))
	//		v, err := cognitojwt.New(pool.Config("my-client"))
	//		if err != nil {
	//			t.Fatal(err)
	//		}
	//		token := pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithGroups("admin"))
	//		claims, err := v.Verify(context.Background(), token)
	//		...
	//	}
}

func ExampleStart() {
	// Start serves a fake user pool on a loopback port, for programs (a
	// local development server, say) rather than tests.
	pool, err := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("eu-west-1_Dev"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pool.PoolID(), v.Issuer() == pool.URL())
	fmt.Println(v.Warm(context.Background()), pool.JWKSFetches())
	// Output:
	// eu-west-1_Dev true
	// <nil> 1
}

func ExampleIssuer_AccessToken() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	token := pool.AccessToken(
		cognitotest.WithClientID("my-client"),
		cognitotest.WithUsername("alice"),
		cognitotest.WithGroups("admin", "staff"),
		cognitotest.WithScopes("orders/read", "orders/write"),
		cognitotest.WithLifetime(15*time.Minute),
	)
	claims, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Username, claims.Groups, claims.Scopes, claims.ExpiresAt.Sub(claims.IssuedAt))
	// Output:
	// alice [admin staff] [orders/read orders/write] 15m0s
}

func ExampleIssuer_IDToken() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config("my-client")
	cfg.TokenUse = cognitojwt.IDToken
	v, err := cognitojwt.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	token := pool.IDToken(
		cognitotest.WithClientID("my-client"),
		cognitotest.WithUsername("bob"),
		cognitotest.WithEmail("bob@example.com"),
		cognitotest.WithAttribute("tenant_id", "acme"), // custom:tenant_id, in ID tokens only
	)
	claims, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	tenant, _ := claims.Attribute("tenant_id")
	fmt.Println(claims.TokenUse, claims.Username, claims.Email, tenant)
	// Output:
	// id bob bob@example.com acme
}

// Cognito's access tokens carry no attributes: a pre-token-generation
// trigger adds the ones an API needs, and the test kit says so.
func ExampleWithPreTokenGenerationClaim() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config(cognitotest.DefaultClientID))
	if err != nil {
		log.Fatal(err)
	}

	plain, err := v.Verify(context.Background(), pool.AccessToken(cognitotest.WithAttribute("tenant_id", "acme")))
	if err != nil {
		log.Fatal(err)
	}
	_, ok := plain.Attribute("tenant_id")
	fmt.Println("attribute in a plain access token:", ok)

	token := pool.AccessToken(cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme"))
	claims, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	tenant, _ := claims.Attribute("tenant_id")
	fmt.Println("added by the trigger:", tenant)
	// Output:
	// attribute in a plain access token: false
	// added by the trigger: acme
}

func ExampleIssuer_MachineToken() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("batch-job"))
	if err != nil {
		log.Fatal(err)
	}

	claims, err := v.Verify(context.Background(), pool.MachineToken([]string{"orders/read"}, cognitotest.WithClientID("batch-job")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("client=%s sub=%s username=%q scopes=%v\n", claims.ClientID, claims.Subject, claims.Username, claims.Scopes)
	// Output:
	// client=batch-job sub=batch-job username="" scopes=[orders/read]
}

func ExampleIssuer_RotateKey() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config("my-client")
	cfg.RefetchCooldown = time.Nanosecond // let the new kid be fetched at once
	v, err := cognitojwt.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	_, err = v.Verify(ctx, pool.AccessToken(cognitotest.WithClientID("my-client")))
	fmt.Println("before rotation:", err)

	old := pool.CurrentKey()
	pool.RotateKey() // the old key stays published until RemoveKey
	_, err = v.Verify(ctx, pool.AccessToken(cognitotest.WithClientID("my-client")))
	fmt.Println("new key:", err)
	_, err = v.Verify(ctx, pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithKey(old)))
	fmt.Println("old key, still published:", err)

	pool.RemoveKey(old.KeyID)
	fresh, err := cognitojwt.New(cfg) // a verifier that never saw the old key
	if err != nil {
		log.Fatal(err)
	}
	_, err = fresh.Verify(ctx, pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithKey(old)))
	fmt.Println("old key, withdrawn:", cognitojwt.ErrorCode(err))
	// Output:
	// before rotation: <nil>
	// new key: <nil>
	// old key, still published: <nil>
	// old key, withdrawn: unknown_key
}

func ExampleIssuer_SetJWKSHandler() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	// An outage of the JWKS endpoint before any key was obtained.
	pool.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	_, err = v.Verify(context.Background(), pool.AccessToken(cognitotest.WithClientID("my-client")))
	status, _, _ := cognitojwt.ErrorStatus(err)
	fmt.Println(errors.Is(err, cognitojwt.ErrKeysUnavailable), status)
	// Output:
	// true 503
}

func ExampleIssuer_Sign() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Sign builds hostile tokens: a real claim set, a header that lies.
	claims := pool.Claims("access", cognitotest.WithClientID("my-client"))
	_, err = v.Verify(ctx, pool.Sign(map[string]any{"alg": "RS512"}, claims))
	fmt.Println(cognitojwt.ErrorCode(err))
	_, err = v.Verify(ctx, pool.Sign(map[string]any{"jku": "https://attacker.example/keys"}, claims))
	fmt.Println(cognitojwt.ErrorCode(err))
	delete(claims, "exp")
	_, err = v.Verify(ctx, pool.Sign(nil, claims))
	fmt.Println(cognitojwt.ErrorCode(err))
	// Output:
	// unsupported_algorithm
	// malformed_token
	// malformed_token
}

func ExampleWithClock() {
	// Tokens minted against a fixed clock, verified against the same one.
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	pool, err := cognitotest.Start("127.0.0.1:0", cognitotest.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config("my-client")
	cfg.Now = clock
	v, err := cognitojwt.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	claims, err := v.Verify(context.Background(), pool.AccessToken(cognitotest.WithClientID("my-client")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.IssuedAt, claims.ExpiresAt)
	// Output:
	// 2030-06-01 12:00:00 +0000 UTC 2030-06-01 13:00:00 +0000 UTC
}

// The issuer is a local user pool: a user signed in through it gets tokens
// the same verifier accepts beside minted ones.
func ExampleIssuer_Pool() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config(cognitotest.DefaultClientID))
	if err != nil {
		log.Fatal(err)
	}

	if _, err := pool.Pool().CreateUser("alice", "Passw0rd!", nil); err != nil {
		log.Fatal(err)
	}
	signedIn, err := pool.Pool().SignIn(context.Background(), cognitotest.DefaultClientID, "alice", "Passw0rd!")
	if err != nil {
		log.Fatal(err)
	}
	for _, token := range []string{signedIn.AccessToken, pool.AccessToken(cognitotest.WithUsername("bob"))} {
		claims, err := v.Verify(context.Background(), token)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(claims.Username)
	}
	// Output:
	// alice
	// bob
}
