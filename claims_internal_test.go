package cognitojwt

import (
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestClaimsCopyHasEveryField: copy names each field (see its comment),
// so a field added to Claims and not to copy would be lost on every cache
// hit. Every field, unexported ones included, gets a value of its own,
// and the copy must equal the original.
func TestClaimsCopyHasEveryField(t *testing.T) {
	var c Claims
	v := reflect.ValueOf(&c).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		// Settable even when unexported.
		f := reflect.NewAt(v.Field(i).Type(), unsafe.Pointer(v.Field(i).UnsafeAddr())).Elem()
		switch f.Type() {
		case reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Unix(int64(i+1), 0).UTC()))
		case reflect.TypeFor[Names]():
			f.Set(reflect.ValueOf(NamesOf(name)))
		default:
			switch f.Kind() {
			case reflect.String:
				f.SetString(name)
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Int:
				f.SetInt(int64(i + 1))
			default:
				t.Fatalf("field %s is of a type this test cannot fill: %v", name, f.Type())
			}
		}
		require.False(t, f.IsZero(), fmt.Sprintf("field %s", name))
	}
	out := c.copy()
	require.NotSame(t, &c, out)
	require.Equal(t, c, *out)
}
