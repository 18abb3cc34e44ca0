package jsonscan

import (
	"math/big"
	"sync"
)

// encoding/json refuses a number that float64 cannot hold, so this
// package must too; but strconv.ParseFloat, which would tell, takes tens
// of microseconds for a number of a few hundred digits near a rounding
// boundary, and a token can carry dozens of them. Whether a number is out
// of range depends only on its magnitude, which its digits show without
// converting it.

// overflowAt is the least magnitude that rounds past math.MaxFloat64:
// halfway between it and 2^1024, where round-half-to-even goes up, since
// MaxFloat64's mantissa is odd. Its 309 decimal digits are exact.
var overflowAt = sync.OnceValue(func() string {
	t := new(big.Int).Lsh(big.NewInt(1), 1024)
	return t.Sub(t, new(big.Int).Lsh(big.NewInt(1), 970)).String()
})

// maxExponent bounds the exponents tracked: any number whose exponent
// reaches it is far out of range, or rounds to zero, whatever its digits.
const maxExponent = 1 << 40

// outOfRange reports whether num, a number the scanner validated, is
// beyond float64's range, as strconv.ParseFloat would report.
func outOfRange(num string) bool {
	i := 0
	if num[0] == '-' {
		i++
	}
	intStart := i
	for i < len(num) && isDigit(num[i]) {
		i++
	}
	intEnd, fracStart, fracEnd := i, i, i
	if i < len(num) && num[i] == '.' {
		i++
		fracStart = i
		for i < len(num) && isDigit(num[i]) {
			i++
		}
		fracEnd = i
	}
	exp := 0
	if i < len(num) {
		i++ // e or E
		neg := num[i] == '-'
		if num[i] == '-' || num[i] == '+' {
			i++
		}
		for ; i < len(num); i++ {
			if exp < maxExponent {
				exp = exp*10 + int(num[i]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	// digit(k) is the k-th digit of the integer and fraction digits read
	// as one string.
	intLen := intEnd - intStart
	n := intLen + fracEnd - fracStart
	digit := func(k int) byte {
		if k < intLen {
			return num[intStart+k]
		}
		return num[fracStart+k-intLen]
	}
	first := 0
	for first < n && digit(first) == '0' {
		first++
	}
	if first == n {
		return false // zero
	}
	// The first significant digit stands for 10^magnitude.
	limit := overflowAt()
	switch magnitude := intLen - 1 - first + exp; {
	case magnitude < len(limit)-1:
		return false
	case magnitude > len(limit)-1:
		return true
	}
	for k := range len(limit) {
		d := byte('0')
		if first+k < n {
			d = digit(first + k)
		}
		if d != limit[k] {
			return d > limit[k]
		}
	}
	return true // equal to overflowAt in its every digit, or above it
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
