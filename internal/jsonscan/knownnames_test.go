package jsonscan

import (
	"errors"
	"strings"
	"testing"
)

func TestKnownNamesNumbers(t *testing.T) {
	names := []string{"sub", "iss", "cognito:groups", "exp", "a", strings.Repeat("n", 64)}
	k := NewKnownNames(names...)
	for i, name := range names {
		if got := k.Number(name); got != i+1 {
			t.Errorf("Number(%q) = %d, want %d", name, got, i+1)
		}
	}
	for _, name := range []string{"", "SUB", "su", "subs", "cognito:group", strings.Repeat("n", 65), "\u017fub"} {
		if got := k.Number(name); got != 0 {
			t.Errorf("Number(%q) = %d, want 0", name, got)
		}
	}
}

func TestNewKnownNamesRefusesBadLists(t *testing.T) {
	many := make([]string, 64)
	for i := range many {
		many[i] = "n" + strings.Repeat("x", i)
	}
	for name, list := range map[string][]string{
		"empty name": {"a", ""},
		"upper case": {"Sub"},
		"non-ASCII":  {"\u017fub"},
		"too long":   {strings.Repeat("n", 65)},
		"twice":      {"sub", "iss", "sub"},
		"over 63":    many,
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			NewKnownNames(list...)
		})
	}
}

// TestScanKnownDuplicates: a known name and any spelling that folds to it
// are duplicates, as ScanObject finds them; members carry the number of an
// exact known name only, and only the top-level object's names are told
// apart by number.
func TestScanKnownDuplicates(t *testing.T) {
	k := NewKnownNames("sub", "kid", "exp")
	for _, src := range []string{
		`{"sub":1,"sub":2}`,
		`{"sub":1,"SUB":2}`,
		`{"SUB":1,"sub":2}`,
		`{"Sub":1,"sUb":2}`,
		`{"\u017fub":1,"sub":2}`,
		`{"sub":1,"` + "\u017f" + `ub":2}`,
		`{"kid":1,"` + "\u212a" + `id":2}`,
		`{"s\u0075b":1,"sub":2}`,
		`{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"exp":1,"g":0,"EXP":2}`,
		`{"x":{"sub":1,"SUB":2}}`,
		`{"abc":1,"ABC":2}`,
	} {
		err := ScanKnown(src, k, func(Member) error { return nil })
		if !errors.Is(err, errDuplicate) {
			t.Errorf("ScanKnown(%s) = %v, want a duplicate", src, err)
		}
	}
	var got []Member
	src := `{"sub":1,"SUBS":2,"x":{"sub":3,"kid":4},"kid":5,"K":6,"Exp":7}`
	if err := ScanKnown(src, k, func(m Member) error { got = append(got, m); return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"sub": {1, 0}, "SUBS": {0, 0}, "x": {0, 0}, "kid": {2, 0}, "K": {0, 0}, "Exp": {0, 3}}
	if len(got) != len(want) {
		t.Fatalf("%d members, want %d", len(got), len(want))
	}
	for _, m := range got {
		if w := want[m.Name]; m.Known != w[0] || m.Folds != w[1] {
			t.Errorf("member %q: Known %d, Folds %d, want %d, %d", m.Name, m.Known, m.Folds, w[0], w[1])
		}
	}
	if k.Name(3) != "exp" || k.Name(0) != "" || k.Name(4) != "" {
		t.Errorf("Name(3), Name(0), Name(4) = %q, %q, %q", k.Name(3), k.Name(0), k.Name(4))
	}
}
