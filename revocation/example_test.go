package revocation_test

import (
	"fmt"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/revocation"
)

// A list goes in Config.Revocations; Verify then refuses what it lists,
// on cache hits too.
func ExampleNew() {
	list, err := revocation.New(revocation.Config{})
	if err != nil {
		panic(err)
	}
	_ = cognitojwt.Config{UserPoolID: "us-east-1_AbC123", ClientIDs: []string{"app-client"}, Revocations: list}

	cutoff := time.Now()
	list.RevokeSubject("user-1", cutoff) // attributes changed: older tokens must refresh
	list.RevokeJTI("a-stolen-token")

	before := &cognitojwt.Claims{Subject: "user-1", IssuedAt: cutoff.Add(-time.Minute)}
	refreshed := &cognitojwt.Claims{Subject: "user-1", IssuedAt: cutoff.Truncate(time.Second)} // same second
	stolen := &cognitojwt.Claims{Subject: "user-2", JWTID: "a-stolen-token"}
	fmt.Println(list.RevocationReason(before) == cognitojwt.RevokedSubject)
	fmt.Println(list.Revoked(refreshed))
	fmt.Println(list.RevocationReason(stolen) == cognitojwt.RevokedToken)
	// Output:
	// true
	// false
	// true
}
