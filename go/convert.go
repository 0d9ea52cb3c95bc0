package connectly

import (
	"math"
	"time"
)

// The conversions of durations, sizes and counts between Go's types and the C library's,
// in one place. Each saturates at the edge of the narrower type and never wraps: a value
// past the C range means "as much as C can say", never a small or negative number.

// millis converts a positive duration to whole milliseconds, rounding up (a sub-millisecond
// timeout is 1 ms, never 0). It cannot overflow: math.MaxInt64 ns is about 9.2e12 ms.
func millis(d time.Duration) uint64 {
	ms := d / time.Millisecond
	if d%time.Millisecond > 0 {
		ms++
	}
	return uint64(max(ms, 0))
}

// wholeSeconds converts a non-negative duration to whole seconds, rounding up: the core
// compares whole seconds, and a tolerance of 900 ms must not become 0 s.
func wholeSeconds(d time.Duration) uint64 {
	s := d / time.Second
	if d%time.Second > 0 {
		s++
	}
	return uint64(max(s, 0))
}

// durationFromMillis converts milliseconds from C to a duration, saturating at the longest
// time.Duration (about 292 years) instead of wrapping to a negative one.
func durationFromMillis(ms int64) time.Duration {
	switch {
	case ms > math.MaxInt64/int64(time.Millisecond):
		return math.MaxInt64
	case ms < math.MinInt64/int64(time.Millisecond):
		return math.MinInt64
	}
	return time.Duration(ms) * time.Millisecond
}

// readLimit is how many bytes to read for a body limit of limit bytes: one more, so that a
// body over the limit is seen to be, saturating at math.MaxInt64.
func readLimit(limit int) int64 {
	if int64(limit) == math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(limit) + 1
}

// clampInt converts a count from C (a size_t or uint32_t) to an int, saturating at
// math.MaxInt (where int is 32 bits wide, a count can exceed it).
func clampInt(n uint64) int {
	if n > math.MaxInt {
		return math.MaxInt
	}
	return int(n)
}
