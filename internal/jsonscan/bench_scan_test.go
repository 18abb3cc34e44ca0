package jsonscan_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

// scanBudget is about the JSON a payload of a 16 KiB token holds.
const scanBudget = 12 << 10

// shortName returns the i-th of the shortest distinct names over alphabet.
func shortName(i int, alphabet string) string {
	var b []byte
	for {
		b = append(b, alphabet[i%len(alphabet)])
		i /= len(alphabet)
		if i == 0 {
			return string(b)
		}
		i--
	}
}

const (
	lower = "abcdefghijklmnopqrstuvwxyz0123456789"
	upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// fillMembers joins members from member(i) until budget bytes are used.
func fillMembers(budget int, member func(i int) string) string {
	var b strings.Builder
	for i := 0; ; i++ {
		m := member(i)
		if b.Len()+len(m)+1 > budget {
			return b.String()
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m)
	}
}

func objectOf(n, i int, alphabet string) string {
	members := make([]string, n)
	for k := range members {
		members[k] = `"` + shortName(k, alphabet) + `":` + strconv.Itoa(i%10)
	}
	return "{" + strings.Join(members, ",") + "}"
}

// scanShapes are the object shapes that cost the scanner most per byte,
// each about as large as a token's payload.
func scanShapes() []struct{ name, src string } {
	names := func(pre, alphabet string) string {
		return "{" + fillMembers(scanBudget, func(i int) string { return `"` + pre + shortName(i, alphabet) + `":0` }) + "}"
	}
	objects := func(n int, alphabet string) string {
		return `{"x":[` + fillMembers(scanBudget, func(i int) string { return objectOf(n, i, alphabet) }) + "]}"
	}
	return []struct{ name, src string }{
		// What every cold verification scans: it must not get slower.
		{"access token payload", `{"sub":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","cognito:groups":["admin","users"],` +
			`"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI","version":2,` +
			`"client_id":"1example23456789","origin_jti":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",` +
			`"event_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","token_use":"access","scope":"openid profile email",` +
			`"auth_time":1700000000,"exp":1700003600,"iat":1700000000,"jti":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",` +
			`"username":"alice"}`},
		{"tiny members", names("", lower)},
		{"tiny members upper case", names("", upper)},
		{"tiny members kelvin sign", names("\u212a", lower)},
		{"escaped names", names(`\/`, lower)},
		{"unicode-escaped names", names(`\u00e9`, lower)},
		{"escaped names nested", `{"x":` + names(`\/`, lower) + "}"},
		{"objects of 8 members", objects(8, lower)},
		{"objects of 16 members", objects(16, lower)},
		{"objects of 17 members", objects(17, lower)},
		{"objects of 8 upper-case members", objects(8, upper)},
		{"objects of 9 upper-case members", objects(9, upper)},
		{"objects of 64 members", objects(64, lower)},
		{"tiny array elements", `{"x":[` + fillMembers(scanBudget, func(int) string { return "0" }) + "]}"},
	}
}

// BenchmarkScanShapes is the scanner's share of rejecting the hostile
// payloads that BenchmarkRejectCost in the root package measures whole.
func BenchmarkScanShapes(b *testing.B) {
	for _, shape := range scanShapes() {
		b.Run(shape.name, func(b *testing.B) {
			b.SetBytes(int64(len(shape.src)))
			b.ReportAllocs()
			cpu0, ok := cputime.Process()
			for b.Loop() {
				if err := jsonscan.ScanObject(shape.src, func(jsonscan.Member) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			if cpu1, _ := cputime.Process(); ok {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
