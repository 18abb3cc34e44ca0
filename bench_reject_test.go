package cognitojwt_test

// The rejection-cost bound: no input up to MaxTokenSize may cost more than
// five cold RS256 verifications to reject. BenchmarkRejectCost runs every
// shape of hostileShapes and reports x-cold, its time per rejection over
// the time of one cold verification (cache off, keys cached) measured in
// batches interleaved with it, so that load from elsewhere on the machine
// weighs on both sides of the quotient alike:
//
//	go test -run '^$' -bench RejectCost -benchtime=200ms

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/cognitojwt/cognitojwt"
)

// hostileShape is one way to make a token expensive to reject.
type hostileShape struct {
	name string
	// token builds the token; fill is the payload's JSON budget in bytes.
	token func(fill int) string
	// want is the error kind the verifier must answer.
	want error
}

const (
	// hostileSig is a signature segment of RSA-2048 length: the shapes
	// are rejected before it matters, and it leaves the payload the rest
	// of MaxTokenSize.
	hostileSigLen = 342
	hostileKid    = "hostile-kid"
)

var hostileHeader = b64url(`{"kid":"` + hostileKid + `","alg":"RS256"}`)

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hostileToken wraps a payload in a well-formed header and signature.
func hostileToken(payload string) string {
	return hostileHeader + "." + b64url(payload) + "." + strings.Repeat("A", hostileSigLen-2) + "AA"
}

// payloadBudget is the most JSON bytes a payload can hold in a token of
// MaxTokenSize next to hostileHeader and a hostile signature.
func payloadBudget() int {
	return (cognitojwt.DefaultMaxTokenSize - len(hostileHeader) - 2 - hostileSigLen) * 3 / 4
}

// memberName returns the i-th of the shortest distinct names over alphabet.
func memberName(i int, alphabet string) string {
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
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// wrongIss ends every payload, so a shape that parses is still refused,
// and only after the whole payload has been scanned. It carries exp, the
// one claim a payload must have to reach the issuer check.
const wrongIss = `"exp":4102444800,"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil"`

// fillObject writes members produced by member(i) into an object until
// fill bytes are used, then closes it with wrongIss. prefix and suffix
// wrap the members (a nested object, for example).
func fillObject(fill int, prefix, suffix string, member func(i int) string) string {
	var b strings.Builder
	b.WriteString("{" + prefix)
	room := fill - len(prefix) - len(suffix) - len(wrongIss) - 3
	for i := 0; ; i++ {
		m := member(i)
		if b.Len()+len(m)+1 > room {
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m)
	}
	b.WriteString(suffix + "," + wrongIss + "}")
	return b.String()
}

// smallObject is an object of n distinct tiny members: the most that are
// compared one by one (16, or 8 when names need folding), or one more.
func smallObject(i, n int, alphabet string) string {
	members := make([]string, n)
	for k := range members {
		members[k] = `"` + memberName(k, alphabet) + `":` + strconv.Itoa(i%10)
	}
	return "{" + strings.Join(members, ",") + "}"
}

// repeatTo repeats unit as often as it fits in n bytes.
func repeatTo(unit string, n int) string { return strings.Repeat(unit, n/len(unit)) }

// arrayOf fills a JSON array with elem, separated by commas, within n
// bytes.
func arrayOf(elem string, n int) string {
	k := (n - 2) / (len(elem) + 1)
	return "[" + strings.TrimSuffix(strings.Repeat(elem+",", k), ",") + "]"
}

func hostileShapes() []hostileShape {
	payload := func(name string, build func(fill int) string) hostileShape {
		return hostileShape{name, func(fill int) string { return hostileToken(build(fill)) }, cognitojwt.ErrWrongIssuer}
	}
	value := func(name, prefix string, build func(n int) string) hostileShape {
		return payload(name, func(fill int) string {
			room := fill - len(wrongIss) - len(prefix) - 4
			return "{" + prefix + build(room) + "," + wrongIss + "}"
		})
	}
	names := func(name, pre, post, alphabet string) hostileShape {
		return payload(name, func(fill int) string {
			return fillObject(fill, "", "", func(i int) string { return `"` + pre + memberName(i, alphabet) + post + `":0` })
		})
	}
	return []hostileShape{
		names("tiny members", "", "", lowerAlnum),
		names("tiny members upper case", "", "", upperAlnum),
		names("tiny members non-ASCII", "\u00e9", "", lowerAlnum),
		names("tiny members kelvin sign", "\u212a", "", lowerAlnum),
		names("escaped names", `\/`, "", lowerAlnum),
		names("unicode-escaped names", `\u00e9`, "", lowerAlnum),
		names("surrogate-escaped names", `\ud83d\ude00`, "", lowerAlnum),
		names("long names", strings.Repeat("n", 120), "", lowerAlnum),
		names("long upper-case names", strings.Repeat("N", 120), "", upperAlnum),
		payload("tiny members nested", func(fill int) string {
			return fillObject(fill, `"x":{`, "}", func(i int) string { return `"` + memberName(i, lowerAlnum) + `":0` })
		}),
		payload("tiny members in many small objects", func(fill int) string {
			return fillObject(fill, `"x":[`, "]", func(i int) string { return `{"` + memberName(i%8, lowerAlnum) + `":0}` })
		}),
		payload("objects of 16 members", func(fill int) string {
			return fillObject(fill, `"x":[`, "]", func(i int) string { return smallObject(i, 16, lowerAlnum) })
		}),
		payload("objects of 8 upper-case members", func(fill int) string {
			return fillObject(fill, `"x":[`, "]", func(i int) string { return smallObject(i, 8, upperAlnum) })
		}),
		payload("objects of 17 members", func(fill int) string {
			return fillObject(fill, `"x":[`, "]", func(i int) string { return smallObject(i, 17, lowerAlnum) })
		}),
		payload("escaped names nested", func(fill int) string {
			return fillObject(fill, `"x":{`, "}", func(i int) string { return `"\/` + memberName(i, lowerAlnum) + `":0` })
		}),
		value("one long name", "", func(n int) string { return `"` + repeatTo("n", n-4) + `":0` }),
		value("tiny array elements", `"x":`, func(n int) string { return arrayOf("0", n) }),
		value("empty objects", `"x":`, func(n int) string { return arrayOf("{}", n) }),
		value("empty strings", `"x":`, func(n int) string { return arrayOf(`""`, n) }),
		value("nesting 32 deep, repeated", `"x":`, func(n int) string {
			deep := strings.Repeat("[", 30) + strings.Repeat("]", 30)
			return arrayOf(deep, n)
		}),
		value("long string", `"x":`, func(n int) string { return `"` + repeatTo("a", n-2) + `"` }),
		value("long non-ASCII string", `"x":`, func(n int) string { return `"` + repeatTo("\u4e16", n-2) + `"` }),
		value("string of short escapes", `"x":`, func(n int) string { return `"` + repeatTo(`\n`, n-2) + `"` }),
		value("string of unicode escapes", `"x":`, func(n int) string { return `"` + repeatTo(`\u00e9`, n-2) + `"` }),
		value("string of surrogate pairs", `"x":`, func(n int) string { return `"` + repeatTo(`\ud83d\ude00`, n-2) + `"` }),
		value("huge exponents", `"x":`, func(n int) string { return arrayOf("1e308", n) }),
		value("309-digit numbers", `"x":`, func(n int) string { return arrayOf("1"+strings.Repeat("0", 308), n) }),
		value("one long number", `"x":`, func(n int) string { return "0." + repeatTo("7", n-2) }),
		value("long fractions", `"x":`, func(n int) string { return arrayOf("0."+strings.Repeat("3", 40)+"e-5", n) }),
		value("numbers halfway to the least denormal", `"x":`, func(n int) string { return arrayOf(halfwayDenormal, n) }),
		value("numbers just below the overflow", `"x":`, func(n int) string { return arrayOf(belowOverflow, n) }),
		names("long names of Kelvin signs", strings.Repeat("\u212a", 100), "", lowerAlnum),
		names("long non-ASCII names", strings.Repeat("\u4e16", 100), "", lowerAlnum),
		names("long names of escapes", strings.Repeat(`\u00e9`, 60), "", lowerAlnum),
		{"header of tiny members", func(fill int) string {
			h := fillObject(fill-40, `"alg":"RS256","kid":"k",`, "", func(i int) string { return `"` + memberName(i, lowerAlnum) + `":0` })
			h = strings.Replace(h, ","+wrongIss, "", 1)
			return b64url(h) + "." + b64url("{"+wrongIss+"}") + "." + strings.Repeat("A", hostileSigLen)
		}, cognitojwt.ErrWrongIssuer},
		{"many dots", func(int) string {
			return "a." + strings.Repeat(".", cognitojwt.DefaultMaxTokenSize-2)
		}, cognitojwt.ErrMalformedToken},
		{"duplicate name at the end", func(fill int) string {
			p := fillObject(fill-20, "", "", func(i int) string { return `"` + memberName(i, lowerAlnum) + `":0` })
			return hostileToken(p[:len(p)-1] + `,"A":1}`)
		}, cognitojwt.ErrMalformedToken},
		{"bad UTF-8 at the end", func(fill int) string {
			p := fillObject(fill-20, "", "", func(i int) string { return `"` + memberName(i, lowerAlnum) + `":0` })
			return hostileToken(p[:len(p)-1] + ",\"z\":\"\xff\"}")
		}, cognitojwt.ErrMalformedToken},
	}
}

// halfwayDenormal is the number halfway between zero and the least
// denormal float64, written out in full: strconv.ParseFloat's slowest
// input, 767 digits long.
const halfwayDenormal = "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324"

// belowOverflow is one unit below the least magnitude that rounds past
// math.MaxFloat64 (2^1024 - 2^970), in its 309 digits and a fraction:
// the largest number a payload may carry, and a hard one to round.
const belowOverflow = "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999"

// hostileTokens builds every shape at the largest size the default
// verifier accepts.
func hostileTokens(tb testing.TB) map[string]string {
	tb.Helper()
	out := make(map[string]string)
	for _, s := range hostileShapes() {
		tok := s.token(payloadBudget())
		if len(tok) > cognitojwt.DefaultMaxTokenSize {
			tb.Fatalf("%s: %d bytes, over MaxTokenSize", s.name, len(tok))
		}
		if len(tok) < cognitojwt.DefaultMaxTokenSize*9/10 {
			tb.Fatalf("%s: %d bytes, well under MaxTokenSize", s.name, len(tok))
		}
		out[s.name] = tok
	}
	return out
}

// rejectBatch is how many rejections run between two batches of cold
// verifications.
const rejectBatch = 16

func BenchmarkRejectCost(b *testing.B) {
	toks := benchTokens(b, 256)
	jwks := benchJWKS(b)
	cold := newBenchVerifier(b, jwks, -1)
	hostile := newBenchVerifier(b, jwks, 0)
	ctx := context.Background()
	tokens := hostileTokens(b)
	for _, shape := range hostileShapes() {
		tok := tokens[shape.name]
		b.Run(shape.name, func(b *testing.B) {
			var coldWall, coldCPU, ownCPU time.Duration
			coldN := 0
			b.ReportAllocs()
			b.ResetTimer()
			b.StopTimer()
			for done := 0; done < b.N; {
				n := min(rejectBatch, b.N-done)
				b.StartTimer()
				c0, _ := cputime.Process()
				for range n {
					if _, err := hostile.Verify(ctx, tok); err == nil {
						b.Fatal("hostile token accepted")
					}
				}
				c1, _ := cputime.Process()
				b.StopTimer()
				start := time.Now()
				for i := range n {
					if _, err := cold.Verify(ctx, toks[(coldN+i)%len(toks)].raw); err != nil {
						b.Fatal(err)
					}
				}
				coldWall += time.Since(start)
				c2, _ := cputime.Process()
				ownCPU += c1 - c0
				coldCPU += c2 - c1
				coldN += n
				done += n
			}
			if coldWall > 0 {
				b.ReportMetric(float64(b.Elapsed())/float64(coldWall), "x-cold")
			}
			if coldCPU > 0 {
				b.ReportMetric(float64(ownCPU)/float64(coldCPU), "x-cold-cpu")
			}
		})
	}
}

// TestHostileShapesAreRejected keeps the benchmark's catalogue honest: each
// shape fills MaxTokenSize and fails with the kind it is meant to reach,
// after the whole payload was read.
func TestHostileShapesAreRejected(t *testing.T) {
	f := newFixture(t, nil)
	tokens := hostileTokens(t)
	for _, s := range hostileShapes() {
		t.Run(s.name, func(t *testing.T) {
			_, err := f.verify(tokens[s.name])
			requireKind(t, s.want, err)
		})
	}
}
