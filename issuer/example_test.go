package issuer_test

import (
	"errors"
	"fmt"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/issuer"
)

// The extra issuer forms of a pool, accepted only when listed.
func Example() {
	pool := "us-gov-west-1_AbC123"
	original, _ := issuer.Original(pool)
	updated, _ := issuer.Updated(pool)
	replica, _ := issuer.Replica("us-gov-east-1", pool)
	fmt.Println(original)
	fmt.Println(updated)
	fmt.Println(replica)
	_, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID:        pool,
		ClientIDs:         []string{"1example23456789"},
		AdditionalIssuers: []string{updated},
	})
	fmt.Println(err)
	// Output:
	// https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123
	// https://issuer-cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123
	// https://cognito-idp.us-gov-east-1.amazonaws.com/us-gov-west-1_AbC123
	// <nil>
}

// A pool of the European Sovereign Cloud: its issuer host is not
// confirmed, so the pool ID alone is refused, by New as here.
func ExampleOriginal() {
	_, err := issuer.Original("eusc-de-east-1_AbC123")
	fmt.Println(errors.Is(err, cognitojwt.ErrInvalidConfig))
	iss, _ := issuer.Original("cn-north-1_AbC123")
	fmt.Println(iss)
	// Output:
	// true
	// https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbC123
}

// A pool set to the updated issuer once every token carries it: the keys
// are fetched from the updated issuer too.
func ExampleUpdated() {
	pool := "us-east-1_AbC123"
	iss, err := issuer.Updated(pool)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := cognitojwt.New(cognitojwt.Config{Issuer: iss, ClientIDs: []string{"1example23456789"}})
	fmt.Println(v.Issuer(), err)
	// Output:
	// https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123 <nil>
}

// A replica must be in the pool's partition.
func ExampleReplica() {
	pool := "us-east-1_AbC123"
	replica, _ := issuer.Replica("eu-west-2", pool)
	fmt.Println(replica)
	_, err := issuer.Replica("cn-north-1", pool)
	fmt.Println(errors.Is(err, cognitojwt.ErrInvalidConfig))
	// Output:
	// https://cognito-idp.eu-west-2.amazonaws.com/us-east-1_AbC123
	// true
}
