package cognitolocal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// A pool on a free loopback port: create a user, sign in, verify the
// access token as a service would.
func ExampleStart() {
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.CreateUser("alice", "Passw0rd!", map[string]string{"email": "alice@example.com"}); err != nil {
		log.Fatal(err)
	}
	if err := pool.CreateGroup("admin"); err != nil {
		log.Fatal(err)
	}
	if err := pool.AddUserToGroup("alice", "admin"); err != nil {
		log.Fatal(err)
	}
	tokens, err := pool.SignIn(context.Background(), cognitolocal.DefaultClientID, "alice", "Passw0rd!")
	if err != nil {
		log.Fatal(err)
	}
	v, err := cognitojwt.New(cognitojwt.Config{Issuer: pool.Issuer(), ClientIDs: []string{cognitolocal.DefaultClientID}})
	if err != nil {
		log.Fatal(err)
	}
	claims, err := v.Verify(context.Background(), tokens.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	_, hasEmail := claims.Attribute("email")
	fmt.Println(claims.Username, claims.Groups, claims.Scopes, hasEmail)
	// Output:
	// alice [admin] [aws.cognito.signin.user.admin] false
}

// The same pre-token-generation handler runs in Lambda (lambda.Start) and
// in the local pool: here it copies custom:department into the access
// token.
func ExampleConfig_preTokenGeneration() {
	department := func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{
			"department": ev.Request.UserAttributes["custom:department"],
		}
		return ev, nil
	}
	pool, err := cognitolocal.New(cognitolocal.Config{PreTokenGeneration: department})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := pool.CreateUser("bob", "Passw0rd!", map[string]string{"custom:department": "sales"}); err != nil {
		log.Fatal(err)
	}
	tokens, err := pool.SignIn(context.Background(), cognitolocal.DefaultClientID, "bob", "Passw0rd!")
	if err != nil {
		log.Fatal(err)
	}
	v, err := pool.Verifier(cognitolocal.DefaultClientID, cognitojwt.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	claims, err := v.Verify(context.Background(), tokens.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	dept, _ := claims.Attribute("department")
	fmt.Println(dept)
	// Output:
	// sales
}

// A pre sign-up trigger, the handler Lambda would run: users of
// example.com are confirmed, their address verified, at sign-up; others
// are refused, and the app sees the trigger's message.
func ExampleConfig_preSignUp() {
	onlyExampleCom := func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if !strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com") {
			return ev, errors.New("Sign-ups are open to example.com only.")
		}
		ev.Response.AutoConfirmUser, ev.Response.AutoVerifyEmail = true, true
		return ev, nil
	}
	pool, err := cognitolocal.New(cognitolocal.Config{PreSignUp: onlyExampleCom})
	if err != nil {
		log.Fatal(err)
	}
	// SignUp as an SDK sends it to the pool's JSON API.
	signUp := func(username, email string) {
		body, _ := json.Marshal(map[string]any{
			"ClientId": cognitolocal.DefaultClientID, "Username": username, "Password": "Passw0rd!",
			"UserAttributes": []map[string]string{{"Name": "email", "Value": email}},
		})
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		w := httptest.NewRecorder()
		pool.ServeHTTP(w, r)
		var out struct {
			UserConfirmed bool
			Type          string `json:"__type"`
			Message       string `json:"message"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		if out.Type != "" {
			fmt.Println(username+":", out.Type, out.Message)
			return
		}
		fmt.Println(username+": confirmed", out.UserConfirmed)
	}
	signUp("ana", "ana@example.com")
	signUp("ben", "ben@example.org")
	// Output:
	// ana: confirmed true
	// ben: UserLambdaValidationException PreSignUp failed with error Sign-ups are open to example.com only..
}

// Users who sign in with their email address, as a pool created with
// UsernameAttributes ["email"]: the username Cognito stores, and the
// tokens carry, is the user's sub.
func ExampleConfig_usernameAttributes() {
	pool, err := cognitolocal.New(cognitolocal.Config{
		UsernameAttributes:     []string{"email"},
		AutoVerifiedAttributes: []string{"email"},
		MFA:                    cognitolocal.MFAConfig{Mode: cognitolocal.MFAOptional, SoftwareToken: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	sub, err := pool.CreateUser("jane@example.com", "Passw0rd!", map[string]string{"email_verified": "true"})
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := pool.SignIn(context.Background(), cognitolocal.DefaultClientID, "jane@example.com", "Passw0rd!")
	if err != nil {
		log.Fatal(err)
	}
	v, err := pool.Verifier(cognitolocal.DefaultClientID, cognitojwt.IDToken)
	if err != nil {
		log.Fatal(err)
	}
	claims, err := v.Verify(context.Background(), tokens.IDToken)
	if err != nil {
		log.Fatal(err)
	}
	email, _ := claims.Attribute("email")
	fmt.Println(claims.Username == sub, email, pool.MfaConfiguration())
	// Output:
	// true jane@example.com OPTIONAL
}

// A program that serves a pool behind a handler of its own keeps the
// Host check of Start's server by wrapping the pool's handler.
func ExampleRequireLoopbackHost() {
	pool, err := cognitolocal.New(cognitolocal.Config{})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", cognitolocal.RequireLoopbackHost(pool))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })

	for _, host := range []string{"127.0.0.1:9229", "rebound.example:9229"} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"MaxResults":10}`))
		r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Host = host
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		fmt.Println(host, rec.Code)
	}
	// Output:
	// 127.0.0.1:9229 200
	// rebound.example:9229 403
}
