package cognitolocal

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPasswordPolicy(t *testing.T) {
	p := newPool(t, Config{})
	for _, pw := range []string{"Sh0rt!", "alllower1!", "ALLUPPER1!", "NoDigits!!", "NoSymbol12"} {
		_, err := p.CreateUser("u"+pw, pw, nil)
		var e *Error
		require.ErrorAs(t, err, &e, pw)
		require.Equal(t, codeInvalidPassword, e.Code)
		require.NotContains(t, e.Error(), pw)
	}
}
