package rules

import (
	"errors"
	"math"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLifetimeBoundaries(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	const leeway = 5 * time.Second
	var zero time.Time
	cases := []struct {
		name          string
		exp, nbf, iat time.Time
		want          error
	}{
		{"valid", now.Add(time.Minute), now, now, nil},
		{"exp at now minus leeway is expired", now.Add(-leeway), zero, zero, errs.Expired},
		{"exp just after now minus leeway is valid", now.Add(-leeway + time.Nanosecond), zero, zero, nil},
		{"nbf at now plus leeway is valid", now.Add(time.Minute), now.Add(leeway), zero, nil},
		{"nbf after now plus leeway is not yet valid", now.Add(time.Minute), now.Add(leeway + time.Nanosecond), zero, errs.NotYetValid},
		{"iat after now plus leeway is not yet valid", now.Add(time.Minute), zero, now.Add(leeway + time.Second), errs.NotYetValid},
		{"zero nbf and iat are absent", now.Add(time.Minute), zero, zero, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Lifetime(tc.exp, tc.nbf, tc.iat, now, leeway)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Lifetime = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestClientRule(t *testing.T) {
	accepted := []string{"a", "b"}
	for _, tc := range []struct {
		id        string
		anyClient bool
		ok        bool
	}{
		{"a", false, true}, {"b", false, true}, {"A", false, false}, {"", false, false},
		{"c", false, false}, {"c", true, true}, {"", true, true},
	} {
		err := Client(tc.id, accepted, tc.anyClient)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, errs.WrongClient)) {
			t.Errorf("Client(%q, any=%v) = %v", tc.id, tc.anyClient, err)
		}
	}
}

func TestAcceptableTyp(t *testing.T) {
	for typ, ok := range map[string]bool{
		"JWT": true, "jwt": true, "at+jwt": true, "application/at+JWT": true,
		"JWS": false, "application/json": false, "": false, "JWT ": false,
	} {
		if AcceptableTyp(typ) != ok {
			t.Errorf("AcceptableTyp(%q) = %v", typ, !ok)
		}
	}
}

func TestNumericDateAndBoolish(t *testing.T) {
	members, err := jsonscan.ParseObject(`{"a":1.5,"b":253402300800,"c":"1","d":"true","e":false,"f":"yes"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]jsonscan.Value{}
	for _, m := range members {
		v[m.Name] = m.Value
	}
	if d, err := NumericDate(v["a"]); err != nil || !d.Equal(time.Unix(1, 5e8)) {
		t.Errorf("1.5: %v %v", d, err)
	}
	if _, err := NumericDate(v["b"]); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("past year 9999: %v", err)
	}
	if _, err := NumericDate(v["c"]); err == nil {
		t.Error("a string is no NumericDate")
	}
	if b, err := Boolish(v["d"]); err != nil || !b {
		t.Errorf(`"true": %v %v`, b, err)
	}
	if b, err := Boolish(v["e"]); err != nil || b {
		t.Errorf("false: %v %v", b, err)
	}
	if _, err := Boolish(v["f"]); err == nil {
		t.Error(`"yes" is no boolean`)
	}
}

func TestUnixNanosClampsToInt64(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want int64
	}{
		{time.Time{}, math.MinInt64},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
		{time.Unix(1_750_000_000, 5), 1_750_000_000_000_000_005},
		{time.Unix(0, math.MinInt64), math.MinInt64},
		{time.Unix(0, math.MaxInt64), math.MaxInt64},
	} {
		if got := UnixNanos(tt.t); got != tt.want {
			t.Errorf("UnixNanos(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
}
