package connectly

import "testing"

// TestEveryStatusHasASentinel walks every status the library defines (any number it can
// name) and checks that the package maps it: a status added to the library without a
// sentinel here fails.
func TestEveryStatusHasASentinel(t *testing.T) {
	named := 0
	for n := 1; n < 1024; n++ {
		name := statusName(n)
		if name == "CONNECTLY_UNKNOWN_STATUS" {
			continue
		}
		named++
		if _, ok := kindOf(n); !ok {
			t.Errorf("status %d (%s) has no sentinel", n, name)
		}
	}
	if named != len(statusErrors) {
		t.Errorf("the library names %d failure statuses; the package maps %d", named, len(statusErrors))
	}
}
