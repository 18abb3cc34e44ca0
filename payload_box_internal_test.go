package cognitojwt

import (
	"encoding/base64"
	"strings"
	"testing"
	"unsafe"
)

// TestPayloadBoxIsOneObject: a payload of each size class's room is
// decoded, with room for the claims' names beside it, into one object of
// that class; one byte more than the last class's room gets the payload
// alone.
func TestPayloadBoxIsOneObject(t *testing.T) {
	if got := unsafe.Sizeof(nameLists[[boxedNames]string]{}); got != boxHeader {
		t.Fatalf("the lists and their room take %d bytes, boxHeader says %d", got, boxHeader)
	}
	classes := []int{512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072}
	room := func(class int) int {
		if class <= 512 {
			return class - boxHeader
		}
		return class - boxHeader - mallocHeader
	}
	for _, class := range classes {
		for _, n := range []int{room(class) - 2, room(class)} {
			payload := strings.Repeat("p", n)
			seg := base64.RawURLEncoding.EncodeToString([]byte(payload))
			var got string
			var names nameRoom
			var err error
			allocs, bytes := allocations(func() { got, names, err = decodePayload(seg) })
			if err != nil || got != payload {
				t.Fatalf("a %d-byte payload decodes to %d bytes, %v", n, len(got), err)
			}
			if allocs != 1 || bytes != uint64(class) {
				t.Errorf("a %d-byte payload: %d allocations of %d bytes, want 1 of %d", n, allocs, bytes, class)
			}
			if names.groups == nil || names.scopes == nil || len(names.room) != 0 || cap(names.room) != boxedNames {
				t.Errorf("a %d-byte payload: no room for %d names beside it", n, boxedNames)
			}
		}
	}
	n := room(classes[len(classes)-1]) + 1
	seg := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("p", n)))
	payload, names, err := decodePayload(seg)
	if err != nil || len(payload) != n || names.groups != nil {
		t.Errorf("a %d-byte payload: %d bytes, %v, room %v; want the payload alone", n, len(payload), err, names.groups != nil)
	}
}

// TestDecodePayloadRefusesBadBase64: the box decodes as decodeSegment
// does, refusing what is not canonical unpadded base64url.
func TestDecodePayloadRefusesBadBase64(t *testing.T) {
	for _, seg := range []string{"e30=", "e3", "e31", "e3!A", strings.Repeat("A", 5000) + "B"} {
		if _, _, err := decodePayload(seg); err != errEncoding {
			t.Errorf("decodePayload(%.12q…) = %v, want errEncoding", seg, err)
		}
	}
}
