package revocation

// filterBitsPerEntry sizes the filter: with two bits of one word per
// entry, an unlisted id is sent to a table with probability about
// (2 / filterBitsPerEntry)^2 (0.55% measured at the filter's fullest,
// where one bit sent 3%), for the one load per id a single bit costs.
// The filter is what keeps a miss cheap: at a million entries it takes
// 4 MB (and 2 MB more for its words' subject cut-offs, which a subject
// hit reads instead of a table line), which caches hold where the
// tables' 27 MB mostly are not, and a miss, what nearly every request
// is, then reads three words of it and nothing else. It is rebuilt with room for twice its entries, and sized
// to the word rather than to a power of two.
const filterBitsPerEntry = 32

// rebuildFilter replaces the filter by one sized for the entries, holding
// only theirs (none while the list is empty).
func (r *List) rebuildFilter() {
	r.set.RebuildFilter(2 * r.len() * filterBitsPerEntry)
	r.stale = 0
}
