package jsonscan_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// manyMembers builds an object of n distinct members, with extra appended
// verbatim before the closing brace.
func manyMembers(n int, extra string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"m%d":%d`, i, i)
	}
	b.WriteString(extra)
	b.WriteByte('}')
	return b.String()
}

func nest(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

var accepted = []string{
	`{}`,
	" \t\r\n{ \t\r\n} \t\r\n",
	`{"a":1}`,
	`{"a":"b","c":[1,2,{"d":null}],"e":{"f":true,"g":false}}`,
	`{"esc":"\"\\\/\b\f\n\r\t"}`,
	`{"nul":"\u0000"}`,
	`{"pair":"\ud83d\ude00"}`,
	`{"upper-hex":"\uD83D\uDE00"}`,
	"{\"literal\":\"\U0001F600 \uFFFD \u00e9\"}",
	"{\"del\":\"\x7f\"}",
	`{"a":{"a":{"a":1}}}`,
	`{"same name at other depths":1,"x":{"same name at other depths":2}}`,
	`{"arr":[{"a":1},{"a":2}]}`,
	`{"a\u0062":1,"ab\u0000":2}`,
	`{"n":[0,-0,1,-1,0.5,-0.5,1e3,1E+3,1e-3,1.5e300,123456789012345678901234567890,1e-400]}`,
	`{"":""}`,
	`{"x":` + nest(31) + `}`,
	manyMembers(200, ""),
	`{"x":` + manyMembers(100, "") + `}`,
}

var rejected = []string{
	``,
	`   `,
	`[]`,
	`"s"`,
	`1`,
	`null`,
	"\ufeff{}",
	`{`,
	`}`,
	`{}{}`,
	`{} x`,
	`{"a"}`,
	`{"a":}`,
	`{"a" 1}`,
	`{"a":1,}`,
	`{,"a":1}`,
	`{"a":1 "b":2}`,
	`{'a':1}`,
	`{a:1}`,
	`{"a":[1,]}`,
	`{"a":[,1]}`,
	`{"a":[1 2]}`,
	`{"a":1}/*c*/`,
	`{"a":tru}`,
	`{"a":True}`,
	`{"a":nul}`,
	`{"a":NaN}`,
	`{"a":Infinity}`,
	`{"a":01}`,
	`{"a":1.}`,
	`{"a":.5}`,
	`{"a":+1}`,
	`{"a":-}`,
	`{"a":1e}`,
	`{"a":1e+}`,
	`{"a":0x10}`,
	`{"a":1e400}`,
	`{"a":-1e400}`,
	`{"a":1` + strings.Repeat("0", 400) + `}`,
	"{\"a\":\"\x01\"}",
	"{\"a\":\"line\nbreak\"}",
	"{\"a\":\"\xff\"}",
	"{\"\xff\":1}",
	"{\"a\":\"\xc0\xaf\"}",
	"{\"a\":\"\xed\xa0\x80\"}",
	"{\"a\":\"\xe2\x82\"}",
	`{"a":"\x41"}`,
	`{"a":"\u12"}`,
	`{"a":"\u12G4"}`,
	`{"a":"\U0041"}`,
	`{"a":"\ud800"}`,
	`{"a":"\udc00"}`,
	`{"a":"\ude00\ud83d"}`,
	`{"a":"\ud800\u0041"}`,
	`{"a":"\ud800\ud800"}`,
	`{"a":"\ud800x"}`,
	`{"a":"\ud800\"}`,
	`{"a":"unterminated}`,
	`{"a":1,"a":1}`,
	`{"a":1,"\u0061":2}`,
	`{"a":{"b":1,"b":2}}`,
	`{"a":[{"b":1,"b":2}]}`,
	manyMembers(200, `,"m0":0`),
	manyMembers(200, `,"m199":0`),
	manyMembers(65, `,"m64":0`),
	`{"x":` + manyMembers(100, `,"m42":0`) + `}`,
	// Duplicates across nested objects, sibling objects and the switch
	// from comparing names to the hash table, in each of its phases.
	`{"a":1,"x":{"b":1},"a":2}`,
	`{"a":1,"x":[{"b":1},{"c":1}],"A":2}`,
	`{"a":1,"x":` + manyMembers(40, "") + `,"a":2}`,
	`{"x":[` + manyMembers(40, "") + `,` + manyMembers(40, `,"m39":0`) + `]}`,
	`{"x":[{"a":1},{"b":1,"b":2}]}`,
	manyMembers(15, `,"m0":0`),
	manyMembers(16, `,"M0":0`),
	manyMembers(17, `,"m16":0`),
	manyMembers(7, `,"A":0,"a":1`),
	manyMembers(30, `,"ſ":0,"S":1`),
	manyMembers(30, `,"K":0,"k":1`),
	manyMembers(30, `,"Å":0,"Å":1`),
	// Around the first index and each time it grows: names compared one
	// with another, then hashed, then moved to a larger index.
	manyMembers(3, `,"M2":0`),
	manyMembers(4, `,"m0":0`),
	manyMembers(4, `,"\u004d3":0`),
	manyMembers(8, `,"m7":0`),
	manyMembers(9, `,"M0":0`),
	manyMembers(16, `,"M15":0`),
	manyMembers(17, `,"m16":0`),
	manyMembers(32, `,"m31":0`),
	manyMembers(33, `,"m\u0033\u0032":0`),
	`{"x":[` + manyMembers(4, "") + `,` + manyMembers(9, `,"m3":0`) + `]}`,
	`{"x":[` + manyMembers(40, "") + `,` + manyMembers(2, `,"M1":0`) + `]}`,
	`{"x":` + nest(32) + `}`,
	`{"x":` + strings.Repeat(`{"y":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`,
}

func TestParseObjectAcceptsJSONObjects(t *testing.T) {
	for _, src := range accepted {
		t.Run(label(src), func(t *testing.T) {
			members, err := jsonscan.ParseObject(src, nil)
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !jsonscan.Valid(src) {
				t.Fatal("Valid disagrees with ParseObject")
			}
			checkSameAsEncodingJSON(t, src, members)
		})
	}
}

func TestParseObjectRejects(t *testing.T) {
	for _, src := range rejected {
		t.Run(label(src), func(t *testing.T) {
			if _, err := jsonscan.ParseObject(src, nil); err == nil {
				t.Fatal("accepted")
			}
			if strings.HasPrefix(strings.TrimSpace(src), "{") && jsonscan.Valid(src) {
				t.Fatal("Valid accepts what ParseObject rejects")
			}
		})
	}
}

// checkSameAsEncodingJSON is the differential check: for an object
// ParseObject accepts, encoding/json must decode the same member names and
// values, and the typed accessors must agree with it.
func checkSameAsEncodingJSON(t *testing.T, src string, members []jsonscan.Member) {
	t.Helper()
	var whole map[string]any
	if err := json.Unmarshal([]byte(src), &whole); err != nil {
		t.Fatalf("jsonscan accepted what encoding/json rejects: %v", err)
	}
	if len(whole) != len(members) {
		t.Fatalf("%d members, encoding/json found %d", len(members), len(whole))
	}
	for _, m := range members {
		want, ok := whole[m.Name]
		if !ok {
			t.Fatalf("member %q unknown to encoding/json", m.Name)
		}
		var got any
		if err := json.Unmarshal([]byte(m.Value.Raw), &got); err != nil {
			t.Fatalf("member %q: raw value %q does not decode: %v", m.Name, m.Value.Raw, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("member %q: raw decodes to %#v, encoding/json to %#v", m.Name, got, want)
		}
		checkAccessors(t, m, want)
		if v, ok := jsonscan.Lookup(src, m.Name); !ok || v != m.Value {
			t.Fatalf("Lookup(%q) = %v, %v", m.Name, v, ok)
		}
	}
}

func checkAccessors(t *testing.T, m jsonscan.Member, want any) {
	t.Helper()
	s, serr := m.Value.AsString()
	f, ferr := m.Value.AsNumber()
	b, berr := m.Value.AsBool()
	strs, aerr := m.Value.AppendStrings(nil)
	switch w := want.(type) {
	case string:
		if serr != nil || s != w || m.Value.Kind != jsonscan.String {
			t.Fatalf("member %q: AsString = %q, %v; want %q", m.Name, s, serr, w)
		}
	case float64:
		if ferr != nil || f != w || m.Value.Kind != jsonscan.Number {
			t.Fatalf("member %q: AsNumber = %v, %v; want %v", m.Name, f, ferr, w)
		}
	case bool:
		if berr != nil || b != w || m.Value.Kind != jsonscan.Bool {
			t.Fatalf("member %q: AsBool = %v, %v; want %v", m.Name, b, berr, w)
		}
	case nil:
		if m.Value.Kind != jsonscan.Null {
			t.Fatalf("member %q: kind %v, want null", m.Name, m.Value.Kind)
		}
	case []any:
		if m.Value.Kind != jsonscan.Array || m.Value.CountElements() != len(w) {
			t.Fatalf("member %q: kind %v with %d elements, want array of %d", m.Name, m.Value.Kind, m.Value.CountElements(), len(w))
		}
		allStrings := true
		for _, e := range w {
			if _, ok := e.(string); !ok {
				allStrings = false
			}
		}
		if allStrings != (aerr == nil) {
			t.Fatalf("member %q: AppendStrings error %v for %#v", m.Name, aerr, w)
		}
		for i, e := range strs {
			if e != w[i] {
				t.Fatalf("member %q: AppendStrings[%d] = %q, want %q", m.Name, i, e, w[i])
			}
		}
	case map[string]any:
		if m.Value.Kind != jsonscan.Object {
			t.Fatalf("member %q: kind %v, want object", m.Name, m.Value.Kind)
		}
	}
	if _, isString := want.(string); !isString && !errors.Is(serr, jsonscan.ErrType) {
		t.Fatalf("member %q: AsString on %v gave %v, want ErrType", m.Name, m.Value.Kind, serr)
	}
}

func FuzzParseObjectAgreesWithEncodingJSON(f *testing.F) {
	for _, src := range accepted {
		f.Add(src)
	}
	for _, src := range rejected {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		members, err := jsonscan.ParseObject(src, nil)
		if err != nil {
			return
		}
		checkSameAsEncodingJSON(t, src, members)
	})
}

func TestParseObjectAppendsInOrder(t *testing.T) {
	dst := []jsonscan.Member{{Name: "kept"}}
	got, err := jsonscan.ParseObject(`{"b":"x","a":[1,"y"],"c":{"d":1}}`, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := []jsonscan.Member{
		{Name: "kept"},
		{Name: "b", Value: jsonscan.Value{Kind: jsonscan.String, Raw: `"x"`}},
		{Name: "a", Value: jsonscan.Value{Kind: jsonscan.Array, Raw: `[1,"y"]`}},
		{Name: "c", Value: jsonscan.Value{Kind: jsonscan.Object, Raw: `{"d":1}`}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	// A name in dst from before is not a duplicate of the new object's.
	if _, err := jsonscan.ParseObject(`{"kept":1}`, got); err != nil {
		t.Fatal(err)
	}
}

func TestValueAccessors(t *testing.T) {
	tests := []struct {
		src     string
		strs    []string
		strsErr bool
		count   int
	}{
		{`[]`, nil, false, 0},
		{`[ "a" , "b\u0063" ]`, []string{"a", "bc"}, false, 2},
		{`["a",1]`, []string{"a"}, true, 2},
		{`[["a"]]`, nil, true, 1},
		{`[null]`, nil, true, 1},
		{`"a"`, nil, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			m, err := jsonscan.ParseObject(`{"v":`+tt.src+`}`, nil)
			if err != nil {
				t.Fatal(err)
			}
			v := m[0].Value
			got, err := v.AppendStrings(nil)
			if (err != nil) != tt.strsErr {
				t.Fatalf("AppendStrings error %v, want error %v", err, tt.strsErr)
			}
			if !tt.strsErr && !reflect.DeepEqual(got, tt.strs) {
				t.Fatalf("AppendStrings = %q, want %q", got, tt.strs)
			}
			if n := v.CountElements(); n != tt.count {
				t.Fatalf("CountElements = %d, want %d", n, tt.count)
			}
			// CountStrings checks as AppendStrings does, with the same
			// error, and counts what it would append.
			n, cerr := v.CountStrings()
			if !errors.Is(cerr, err) || (cerr == nil) != (err == nil) {
				t.Fatalf("CountStrings error %v, AppendStrings error %v", cerr, err)
			}
			if !tt.strsErr && n != len(got) {
				t.Fatalf("CountStrings = %d, want %d", n, len(got))
			}
		})
	}

	for _, v := range []jsonscan.Value{{Kind: jsonscan.String, Raw: `"1"`}, {Kind: jsonscan.Null, Raw: `null`}} {
		if _, err := v.AsNumber(); !errors.Is(err, jsonscan.ErrType) {
			t.Errorf("AsNumber(%s) = %v, want ErrType", v.Raw, err)
		}
		if _, err := v.AsBool(); !errors.Is(err, jsonscan.ErrType) {
			t.Errorf("AsBool(%s) = %v, want ErrType", v.Raw, err)
		}
	}
	if _, ok := jsonscan.Lookup(`{"a":1}`, "b"); ok {
		t.Error("Lookup found a missing member")
	}
	if _, ok := jsonscan.Lookup(`{"a":1,"a":2}`, "a"); ok {
		t.Error("Lookup read an object ParseObject rejects")
	}
	if _, ok := jsonscan.Lookup(`{"x":{"a":1}}`, "a"); ok {
		t.Error("Lookup reached into a nested object")
	}
}

func TestKindString(t *testing.T) {
	names := map[jsonscan.Kind]string{
		jsonscan.Invalid: "invalid", jsonscan.String: "string", jsonscan.Number: "number",
		jsonscan.Object: "object", jsonscan.Array: "array", jsonscan.Bool: "boolean", jsonscan.Null: "null",
	}
	for k, want := range names {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
}

// BenchmarkParseObjectManyMembers is the cost of the largest object a
// 16 KiB token can carry, which an attacker controls before any signature
// check.
func BenchmarkParseObjectManyMembers(b *testing.B) {
	src := manyMembers(1500, "")
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := jsonscan.ParseObject(src, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func label(src string) string {
	if len(src) > 40 {
		src = src[:40] + "…"
	}
	return fmt.Sprintf("%q", src)
}

// TestScanObjectHandsMembersInOrderAndStopsOnError: ScanObject sees the
// members ParseObject returns, in order, and an error from the callback
// ends the scan and comes back unchanged.
func TestScanObjectHandsMembersInOrderAndStopsOnError(t *testing.T) {
	src := `{"b":"x","\u0061":[1,"y"],"c":{"d":1}}`
	want, err := jsonscan.ParseObject(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []jsonscan.Member
	if err := jsonscan.ScanObject(src, func(m jsonscan.Member) error {
		got = append(got, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ScanObject saw %v, ParseObject returned %v", got, want)
	}

	stop := errors.New("stop")
	var seen []string
	err = jsonscan.ScanObject(`{"a":1,"b":2,"c":3}`, func(m jsonscan.Member) error {
		seen = append(seen, m.Name)
		if m.Name == "b" {
			return stop
		}
		return nil
	})
	if err != stop || !reflect.DeepEqual(seen, []string{"a", "b"}) {
		t.Fatalf("error %v after %v; want the callback's error after a and b", err, seen)
	}
	if err := jsonscan.ScanObject(`{"a":1,"a":2}`, func(jsonscan.Member) error { return nil }); err == nil {
		t.Fatal("duplicate accepted")
	}
}
