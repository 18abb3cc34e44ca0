package jsonscan

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// rangeCases are numbers on both sides of float64's largest finite value,
// written every way JSON allows, with the magnitudes and digit counts that
// make strconv.ParseFloat slow.
func rangeCases() []string {
	limit := overflowAt()
	below := []byte(limit)
	below[len(below)-1]-- // the limit ends in 2
	cases := []string{
		"0", "-0", "0e0", "0e99999999999999999999", "0.000e-99999999999999999999",
		"1e308", "1e309", "-1e309", "2e308", "1.8e308", "1e-400", "-1e-400",
		"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
		"1.797693134862315807937289714053e308", "1.797693134862315808e308",
		"1e99999999999999999999", "1e-99999999999999999999",
		"100000000000000000000e288", "0.00000000000000000001e329",
		limit, string(below), "-" + limit, limit + "0", limit + ".0", limit + ".000001",
		string(below) + ".99999999999999", string(below) + "9", limit[:100] + "e208",
		limit[:1] + "." + limit[1:] + "e308", limit[:1] + "." + string(below[1:]) + "e308",
		"0." + limit + "e309", "0.000" + string(below) + "e312", limit + "e-1", limit + "0e-1",
		strings.Repeat("9", 309), strings.Repeat("9", 308), "1" + strings.Repeat("0", 308),
		"0." + strings.Repeat("7", 2000),
		// Halfway between zero and the least denormal: ParseFloat's
		// slowest path, and far from any overflow.
		"2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
	}
	// The limit's digits up to a random one, then others: every digit of
	// it gets to decide, with the point and the exponent anywhere that
	// keeps the magnitude at the limit's or next to it.
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		p := r.IntN(len(limit) + 3)
		digits := limit[:min(p, len(limit))]
		if p < len(limit) {
			digits += string(byte('0' + r.IntN(10)))
		}
		for range r.IntN(6) {
			digits += string(byte('0' + r.IntN(10)))
		}
		zeros := r.IntN(3) // leading zeros of a fraction
		point := r.IntN(len(digits) + 1)
		var num string
		if zeros > 0 {
			num = "0." + strings.Repeat("0", zeros-1) + digits
			point = -zeros + 1
		} else {
			num = digits[:point]
			if point == 0 {
				num = "0"
			}
			if point < len(digits) {
				num += "." + digits[point:]
			}
		}
		if exp := len(limit) - point + r.IntN(3) - 1; exp != 0 || r.IntN(2) == 0 {
			num += "e" + strconv.Itoa(exp)
		}
		if r.IntN(4) == 0 {
			num = "-" + num
		}
		cases = append(cases, num)
	}
	return cases
}

// TestOutOfRangeAgreesWithParseFloat: outOfRange refuses exactly the
// numbers strconv.ParseFloat, and so encoding/json, finds out of range.
func TestOutOfRangeAgreesWithParseFloat(t *testing.T) {
	out := 0
	for _, num := range rangeCases() {
		if checkRange(t, num) {
			out++
		}
	}
	if out < len(rangeCases())/4 {
		t.Fatalf("only %d cases out of range: the cases miss the boundary", out)
	}
}

// checkRange compares outOfRange with strconv.ParseFloat on num and
// returns the verdict.
func checkRange(t *testing.T, num string) bool {
	t.Helper()
	_, err := strconv.ParseFloat(num, 64)
	if got, want := outOfRange(num), err != nil; got != want {
		t.Fatalf("outOfRange(%.60q…) = %v, ParseFloat's error: %v", num, got, err)
	}
	return err != nil
}

func FuzzOutOfRange(f *testing.F) {
	for _, num := range rangeCases()[:60] {
		f.Add(num)
	}
	f.Fuzz(func(t *testing.T, num string) {
		// json.Valid checks the grammar only, not the range; the scanner
		// hands outOfRange a number without the spaces json.Valid allows.
		if num == "" || !(num[0] == '-' || isDigit(num[0])) || !isDigit(num[len(num)-1]) || !json.Valid([]byte(num)) {
			t.Skip("not a JSON number")
		}
		checkRange(t, num)
	})
}
