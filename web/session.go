package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
	"unsafe"
)

// session is what a sign-in leaves with the browser: the tokens and the
// times the lifetimes are measured from.
type session struct {
	// id names the session: the store key in server-side mode, and in
	// either mode the key that makes concurrent refreshes of one session
	// share a single call to the token endpoint.
	id      string
	created time.Time // sign-in; the absolute lifetime runs from it
	seen    time.Time // last request that was recorded; the idle lifetime runs from it
	// accessExp is the access token's exp, so that a request can tell
	// when to refresh without verifying the access token.
	accessExp time.Time
	// idExp is the ID token's exp, for the same reason.
	idExp time.Time
	// lease, in store mode, is when the refresh another request took on
	// is given up for lost: until then the others wait for its result
	// rather than start their own (see refresh.go).
	lease time.Time
	// family is the ID token's origin_jti, the refresh-token family that
	// sign-out lists in Verify.Revocations: kept here because by then the
	// ID token may have expired and would no longer verify.
	family  string
	idToken string
	access  string
	// refresh is empty in a session just read: it has a cookie, or a part
	// of the stored record, of its own (sealedRefresh), opened only to
	// refresh and to sign out.
	refresh       string
	sealedRefresh []byte
	// rec is the stored record the session was read from, in store mode:
	// writes replace exactly that record or nothing (see Store.Swap).
	rec []byte
	// verified is shared by every request that opened the same cookie
	// value: the claims its tokens verified to (see recheck). Never
	// encoded.
	verified *verifiedTokens
}

// sessionVersion leads the encoding so that a later format can be told
// apart from this one. Version 1 kept the access token in a cookie of its
// own; such sessions no longer open and their users sign in again.
const sessionVersion = 2

var errSessionFormat = errors.New("web: session record is malformed")

// random256 returns 256 random bits, base64url: unguessable, and safe in
// cookies, URLs and store keys. Session ids, states and nonces are these.
func random256() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// encode writes s, without the refresh token, as a version byte, five
// Unix times in seconds and four length-prefixed strings. A binary layout
// rather than JSON because every request decodes it: tens of nanoseconds
// where JSON would cost microseconds for the kilobytes of tokens.
func (s *session) encode() []byte {
	b := make([]byte, 0, 1+5*binary.MaxVarintLen64+4*binary.MaxVarintLen32+
		len(s.id)+len(s.family)+len(s.idToken)+len(s.access))
	b = append(b, sessionVersion)
	for _, t := range [...]time.Time{s.created, s.seen, s.accessExp, s.idExp, s.lease} {
		b = binary.AppendVarint(b, unix(t))
	}
	return appendFields(b, s.id, s.family, s.idToken, s.access)
}

// unix is t in Unix seconds, 0 for the zero time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

// decodeSession parses what encode wrote. Its strings view b, which the
// caller hands over and never writes again (b is freshly opened
// plaintext), saving a copy of every token on every request.
func decodeSession(b []byte) (*session, error) {
	s := &session{}
	if err := s.decode(b); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *session) decode(b []byte) error {
	if len(b) == 0 || b[0] != sessionVersion {
		return errSessionFormat
	}
	b = b[1:]
	var times [5]int64
	for i := range times {
		v, n := binary.Varint(b)
		if n <= 0 {
			return errSessionFormat
		}
		times[i], b = v, b[n:]
	}
	var f [4]string
	if err := readFields(b, f[:]); err != nil || f[0] == "" || f[2] == "" || f[3] == "" {
		return errSessionFormat
	}
	*s = session{
		id:        f[0],
		created:   fromUnix(times[0]),
		seen:      fromUnix(times[1]),
		accessExp: fromUnix(times[2]),
		idExp:     fromUnix(times[3]),
		lease:     fromUnix(times[4]),
		family:    f[1],
		idToken:   f[2],
		access:    f[3],
	}
	return nil
}

func appendFields(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// readFields fills out with the length-prefixed strings of b, which must
// hold exactly len(out) of them. The strings view b.
func readFields(b []byte, out []string) error {
	for i := range out {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return errSessionFormat
		}
		b = b[n:]
		if l > 0 {
			out[i] = unsafe.String(&b[0], int(l))
		}
		b = b[l:]
	}
	if len(b) != 0 {
		return errSessionFormat
	}
	return nil
}

// appendRecord writes the sealed parts of a stored session, each prefixed
// with its length.
func appendRecord(b []byte, parts ...[]byte) []byte {
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// splitRecord fills out with the parts of a record appendRecord wrote,
// which must hold exactly len(out) of them. The parts alias rec.
func splitRecord(rec []byte, out [][]byte) error {
	for i := range out {
		l, n := binary.Uvarint(rec)
		if n <= 0 || l > uint64(len(rec)-n) {
			return errSessionFormat
		}
		out[i], rec = rec[n:n+int(l):n+int(l)], rec[n+int(l):]
	}
	if len(rec) != 0 {
		return errSessionFormat
	}
	return nil
}
