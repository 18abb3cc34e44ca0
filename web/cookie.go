package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Browsers keep at least 4096 bytes per cookie, name, value and attributes
// together (RFC 6265 §6.1). A chunk's value stays at chunkSize so that the
// name and the attributes fit beside it with room to spare.
const (
	// chunkSize is a multiple of four, so that every chunk decodes from
	// base64 on its own.
	chunkSize = 3800
	// maxChunks bounds what a request can make the server read and
	// decode; 8 chunks hold tokens far larger than Cognito issues. It stays
	// below 10 so that a chunk's number is one digit.
	maxChunks = 8
)

// cookieJar names and writes one logical cookie, split into chunks when
// its value is too long for one: "name" carries "N." followed by the first
// chunk, and "name-1" … "name-(N-1)" the rest. The dot cannot occur in
// base64url, so a single-chunk value is told apart from a chunked one.
type cookieJar struct {
	name   string
	secure bool
}

// jarValue is what one request carries of a cookieJar's cookie.
type jarValue struct {
	vals [maxChunks]string
	seen [maxChunks]uint8
	// count is how many cookie names of the jar the request carried, so
	// that write and clear can delete them all.
	count int
}

// scanCookies reads the cookies of every jar from the request's Cookie
// header in one pass: out[i] receives jars[i]'s.
//
// It scans the header itself rather than through Request.CookiesNamed,
// which parses and validates every cookie of the header once per name
// asked for: with a chunked session that was half of a
// session-authenticated request's cost. The values need no validation
// here, the strict base64url decoder and the AEAD check them.
func scanCookies(r *http.Request, jars []cookieJar, out []jarValue) {
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var pair string
			pair, line, _ = strings.Cut(line, ";")
			name, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			for k, j := range jars {
				if !strings.HasPrefix(name, j.name) {
					continue
				}
				i := 0
				if rest := name[len(j.name):]; rest != "" {
					// Chunks are name-1 … name-7; other names that share
					// the prefix (name-rt) are other jars'.
					if len(rest) != 2 || rest[0] != '-' || rest[1] < '1' || rest[1] >= '0'+maxChunks {
						continue
					}
					i = int(rest[1] - '0')
				}
				v := &out[k]
				v.vals[i] = val
				if v.seen[i] < 2 {
					v.seen[i]++
				}
				v.count = max(v.count, i+1)
			}
		}
	}
}

// parts returns the cookie's value as its chunks in order, or nil when it
// is absent, planted twice or missing a chunk. The slice views v, whose
// first value it strips of the chunk count: call it once.
func (v *jarValue) parts() []string {
	if v.seen[0] != 1 || v.vals[0] == "" {
		// Two cookies of one name mean someone planted one (a sibling
		// subdomain can, without the __Host- prefix): trust neither.
		return nil
	}
	head, rest, chunked := strings.Cut(v.vals[0], ".")
	if !chunked {
		return v.vals[:1:1]
	}
	n, err := strconv.Atoi(head)
	if err != nil || n < 2 || n > maxChunks {
		return nil
	}
	for i := 1; i < n; i++ {
		if v.seen[i] != 1 || v.vals[i] == "" {
			return nil
		}
	}
	v.vals[0] = rest
	return v.vals[:n:n]
}

// read returns the cookie's value as its chunks in order (nil when it is
// absent, planted twice or missing a chunk), and how many cookie names of
// it the request carried.
func (j cookieJar) read(r *http.Request) (parts []string, count int) {
	var v [1]jarValue
	scanCookies(r, []cookieJar{j}, v[:])
	return v[0].parts(), v[0].count
}

// fits reports whether value can be written as a cookie that read
// accepts: at most maxChunks chunks.
func fits(value string) bool { return len(value) <= maxChunks*chunkSize }

func (j cookieJar) chunkName(i int) string { return j.name + "-" + strconv.Itoa(i) }

// write sets the cookie to value for maxAge, and deletes the chunks an
// earlier, longer value left behind (had: the count read from the request).
// Like clear, it marks the response no-store: a shared cache that kept a
// page with a session's Set-Cookie would hand the session to the next
// visitor.
func (j cookieJar) write(w http.ResponseWriter, value string, maxAge time.Duration, had int) {
	noStore(w)
	secs := int(maxAge / time.Second)
	if secs <= 0 {
		secs = 1
	}
	if len(value) <= chunkSize {
		http.SetCookie(w, j.cookie(j.name, value, secs))
		j.expire(w, 1, had)
		return
	}
	n := (len(value) + chunkSize - 1) / chunkSize
	for i := range n {
		part := value[i*chunkSize : min((i+1)*chunkSize, len(value))]
		if i == 0 {
			http.SetCookie(w, j.cookie(j.name, strconv.Itoa(n)+"."+part, secs))
		} else {
			http.SetCookie(w, j.cookie(j.chunkName(i), part, secs))
		}
	}
	j.expire(w, n, had)
}

// clear deletes the cookie and the chunks the request carried.
func (j cookieJar) clear(w http.ResponseWriter, had int) {
	noStore(w)
	http.SetCookie(w, j.cookie(j.name, "", -1))
	j.expire(w, 1, had)
}

func (j cookieJar) expire(w http.ResponseWriter, from, had int) {
	for i := from; i < had && i < maxChunks; i++ {
		http.SetCookie(w, j.cookie(j.chunkName(i), "", -1))
	}
}

func (j cookieJar) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   j.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}
