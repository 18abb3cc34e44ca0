package jsonscan

// Differential fuzzing against encoding/json. jsonscan must accept exactly
// the JSON texts that encoding/json accepts and that are also valid UTF-8,
// free of lone surrogate escapes, free of member names equal under case
// folding, and nested at most MaxDepth deep; and what it accepts it must
// read exactly as encoding/json decodes it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"go.uber.org/goleak"
)

// referenceVerdict says whether src is a JSON text jsonscan must accept,
// using encoding/json for the grammar and plain checks for the rest.
func referenceVerdict(src string) (bool, string) {
	if !json.Valid([]byte(src)) {
		return false, "encoding/json rejects it"
	}
	if !utf8.ValidString(src) {
		return false, "invalid UTF-8"
	}
	if hasLoneSurrogate(src) {
		return false, "lone surrogate escape"
	}
	dec := json.NewDecoder(strings.NewReader(src))
	type frame struct {
		object bool
		names  []string
		atName bool
	}
	var stack []*frame
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return true, ""
		}
		if err != nil {
			// json.Valid passed, so only a number beyond float64's range
			// gets here, and encoding/json cannot decode it into any.
			return false, "number out of float64 range"
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].atName {
			if name, ok := tok.(string); ok {
				top := stack[n-1]
				for _, seen := range top.names {
					if strings.EqualFold(seen, name) {
						return false, "duplicate member name"
					}
				}
				top.names = append(top.names, name)
				top.atName = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth > MaxDepth {
				return false, "too deep"
			}
			stack = append(stack, &frame{object: tok == json.Delim('{'), atName: true})
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].atName = true
		}
	}
}

// hasLoneSurrogate scans the string literals of valid JSON for \u escapes
// of surrogates that do not form a high-low pair.
func hasLoneSurrogate(src string) bool {
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if src[i+1] != 'u' {
				i++
				continue
			}
			r, _ := strconv.ParseUint(src[i+2:i+6], 16, 32)
			i += 5
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return true
			case r >= 0xD800 && r <= 0xDBFF:
				if i+6 >= len(src) || src[i+1] != '\\' || src[i+2] != 'u' {
					return true
				}
				lo, _ := strconv.ParseUint(src[i+3:i+7], 16, 32)
				if lo < 0xDC00 || lo > 0xDFFF {
					return true
				}
				i += 6
			}
		}
	}
	return false
}

func decodeWithNumbers(t *testing.T, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("encoding/json cannot decode accepted %q: %v", text, err)
	}
	return v
}

// corpusJSON returns the raw JSON texts of the token corpus, with its
// templates replaced by plain values.
func corpusJSON(t testing.TB) []string {
	f, err := os.Open("../../testdata/tokens.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	template := regexp.MustCompile(`\$\{[A-Z_]+(?:[+-]\d+|:[0-9a-fA-F]{2})?\}`)
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c struct {
			RawHeader  *string `json:"raw_header"`
			RawPayload *string `json:"raw_payload"`
		}
		if bytes.HasPrefix(sc.Bytes(), []byte("#")) || json.Unmarshal(sc.Bytes(), &c) != nil {
			continue
		}
		for _, raw := range []*string{c.RawHeader, c.RawPayload} {
			if raw != nil {
				out = append(out, template.ReplaceAllString(*raw, "1"))
			}
		}
	}
	return out
}

func FuzzParseObject(f *testing.F) {
	ignore := goleak.IgnoreCurrent()
	f.Cleanup(func() { goleak.VerifyNone(f, ignore) })
	for _, seed := range corpusJSON(f) {
		f.Add(seed)
	}
	for _, seed := range []string{
		`{}`, ` { } `, `[]`, `"s"`, `0`, `-0.0e+1`, `1e400`, `null`, `true`,
		`{"sub":"a","iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x","exp":1750000000,"cognito:groups":["a","b"]}`,
		`{"alg":"RS256","kid":"abc+/=","typ":"JWT"}`,
		`{"a":1,"a":2}`, `{"a":1,"A":2}`, `{"k":1,"\u212a":2}`, `{"s":1,"\u017f":2}`, `{"a":{"b":1,"B":2}}`,
		`{"x":"\ud83d\ude00"}`, `{"x":"\ud800"}`, `{"x":"\udc00"}`, `{"x":"\ud800\u0041"}`, `{"\ud800":1}`,
		`{"x":"` + "\xff" + `"}`, `{"x":"` + "\xed\xa0\x80" + `"}`, "\ufeff{}",
		`{"x":` + strings.Repeat("[", 31) + strings.Repeat("]", 31) + `}`,
		`{"x":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`,
		`{"x":"\u0000\b\f\n\r\t\"\\\/"}`, `{"x":01}`, `{"x":1.}`, `{"x":.5}`, `{"x":-}`, `{"x":NaN}`,
		`{"a":[1,"2",{"b":null}],"c":{"d":[true,false]}}`,
		// Wide enough for the hash table, with names it must fold.
		`{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0,"l":0,"m":0,"n":0,"o":0,"p":0,"q":0,"r":0,"\u017f":0,"K":1}`,
		`{"x":[{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"\u212a":0},{"a":0,"A":1}],"s":"\/\n\u00e9\ud83d\ude00"}`, `{"a":1,}`, `{"a" 1}`, `{"a":1}x`, `{"a":1}{}`,
		// Names of fuzzKnown, spelt as they are and folded.
		`{"sub":1,"SUB":2}`, `{"\u017fub":1,"sub":2}`, `{"su\u0062":1,"s\u0075b":2}`, `{"kid":1,"\u212aID":2}`,
		`{"exp":1,"iss":2,"sub":3,"x":{"sub":1},"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"Exp":4}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		want, why := referenceVerdict(src)
		if got := Valid(src); got != want {
			t.Fatalf("Valid(%q) = %v; reference says %v (%s)", src, got, want, why)
		}
		members, err := ParseObject(src, nil)
		isObject := strings.HasPrefix(strings.TrimLeft(src, " \t\r\n"), "{")
		if (err == nil) != (want && isObject) {
			t.Fatalf("ParseObject(%q) error %v; reference accepts %v, object %v", src, err, want, isObject)
		}
		checkScanKnown(t, src, members, err)
		if err != nil {
			return
		}
		decoded := decodeWithNumbers(t, src).(map[string]any)
		if len(decoded) != len(members) {
			t.Fatalf("%d members, encoding/json sees %d", len(members), len(decoded))
		}
		for _, m := range members {
			checkValue(t, m.Value, decoded[m.Name])
			if v, ok := Lookup(src, m.Name); !ok || v != m.Value {
				t.Fatalf("Lookup(%q) = %v, %v", m.Name, v, ok)
			}
		}
	})
}

// fuzzKnown are the known names FuzzParseObject gives ScanKnown: short
// ones the fuzzer finds, and two with the letters that fold to ASCII from
// outside it.
var fuzzKnown = NewKnownNames("a", "b", "k", "s", "x", "sub", "kid", "exp", "iss")

// checkScanKnown requires ScanKnown to give what ParseObject gave
// (members, or an error where it gave one), with each member's number.
func checkScanKnown(t *testing.T, src string, members []Member, err error) {
	t.Helper()
	var known []Member
	kerr := ScanKnown(src, fuzzKnown, func(m Member) error {
		known = append(known, m)
		return nil
	})
	if (kerr == nil) != (err == nil) || (err != nil && kerr.Error() != err.Error()) {
		t.Fatalf("ScanKnown(%q) error %v; ParseObject %v", src, kerr, err)
	}
	if err != nil {
		return
	}
	if len(known) != len(members) {
		t.Fatalf("ScanKnown(%q) gave %d members, ParseObject %d", src, len(known), len(members))
	}
	for i, m := range known {
		if m.Name != members[i].Name || m.Value != members[i].Value || m.Known != fuzzKnown.Number(m.Name) {
			t.Fatalf("ScanKnown(%q) member %d = %+v, ParseObject %+v", src, i, m, members[i])
		}
		folds := 0
		for k := 1; fuzzKnown.Name(k) != ""; k++ {
			if m.Known == 0 && strings.EqualFold(m.Name, fuzzKnown.Name(k)) {
				folds = k
			}
		}
		if m.Folds != folds {
			t.Fatalf("ScanKnown(%q) member %q folds to %d, strings.EqualFold to %d", src, m.Name, m.Folds, folds)
		}
	}
}

// checkValue compares one value as jsonscan reads it with encoding/json's
// decoding of the same text.
func checkValue(t *testing.T, v Value, want any) {
	t.Helper()
	if got := decodeWithNumbers(t, v.Raw); !reflect.DeepEqual(got, want) {
		t.Fatalf("raw %q decodes to %#v, the whole text gives %#v", v.Raw, got, want)
	}
	kinds := map[Kind]reflect.Kind{String: reflect.String, Bool: reflect.Bool, Object: reflect.Map, Array: reflect.Slice}
	switch {
	case v.Kind == Null:
		if want != nil {
			t.Fatalf("null reads as %#v", want)
		}
		return
	case v.Kind == Number:
		n, ok := want.(json.Number)
		if !ok {
			t.Fatalf("number reads as %#v", want)
		}
		f, err := v.AsNumber()
		g, gErr := n.Float64()
		if (err == nil) != (gErr == nil) || (err == nil && f != g) {
			t.Fatalf("AsNumber(%q) = %v, %v; encoding/json %v, %v", v.Raw, f, err, g, gErr)
		}
		return
	case want == nil || reflect.TypeOf(want).Kind() != kinds[v.Kind]:
		t.Fatalf("kind %v reads as %#v", v.Kind, want)
	}
	if s, err := v.AsString(); v.Kind == String && (err != nil || s != want) {
		t.Fatalf("AsString(%q) = %q, %v; want %q", v.Raw, s, err, want)
	}
	if b, err := v.AsBool(); v.Kind == Bool && (err != nil || b != want) {
		t.Fatalf("AsBool(%q) = %v, %v", v.Raw, b, err)
	}
	if v.Kind == Array {
		elems := want.([]any)
		if n := v.CountElements(); n != len(elems) {
			t.Fatalf("CountElements(%q) = %d, want %d", v.Raw, n, len(elems))
		}
		strs, err := v.AppendStrings(nil)
		allStrings := true
		for i, e := range elems {
			s, ok := e.(string)
			allStrings = allStrings && ok
			if ok && err == nil && strs[i] != s {
				t.Fatalf("AppendStrings(%q)[%d] = %q, want %q", v.Raw, i, strs[i], s)
			}
		}
		if (err == nil) != allStrings {
			t.Fatalf("AppendStrings(%q) error %v; all strings %v", v.Raw, err, allStrings)
		}
		if n, cerr := v.CountStrings(); (cerr == nil) != (err == nil) || (err == nil && n != len(strs)) {
			t.Fatalf("CountStrings(%q) = %d, %v; AppendStrings gave %d, %v", v.Raw, n, cerr, len(strs), err)
		}
		var room [2]string
		n, ferr := v.FillStrings(room[:])
		if (ferr == nil) != (err == nil) || (err == nil && (n != len(strs) || !slices.Equal(room[:min(n, len(room))], strs[:min(n, len(room))]))) {
			t.Fatalf("FillStrings(%q) = %d %q, %v; AppendStrings gave %q, %v", v.Raw, n, room, ferr, strs, err)
		}
	}
}

// TestWideObjectsCostLinear: duplicate detection must not rebuild its set
// per member, or one wide object of tiny members costs the square of its
// size.
func TestWideObjectsCostLinear(t *testing.T) {
	wide := func(n int, nested bool) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"m` + strconv.Itoa(i) + `":0`)
		}
		if nested {
			return `{"x":{` + b.String() + `}}`
		}
		return "{" + b.String() + "}"
	}
	for _, nested := range []bool{false, true} {
		small, large := wide(2000, nested), wide(8000, nested)
		a := testing.AllocsPerRun(3, func() { _, _ = ParseObject(small, nil) })
		b := testing.AllocsPerRun(3, func() { _, _ = ParseObject(large, nil) })
		// Four times the members may cost about four times the
		// allocations; a set per member would cost thousands more.
		if b > 4*a+50 {
			t.Errorf("nested %v: 2000 members %v allocations, 8000 members %v", nested, a, b)
		}
	}
}
