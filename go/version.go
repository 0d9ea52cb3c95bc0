package connectly

/*
#include <connectly.h>
*/
import "C"

import (
	"fmt"
	"strconv"
	"strings"
)

// The version of the C library this package is written for: its major.minor. A library is
// compatible when its major version is the same and, while the major is 0, its minor too
// (semver: 0.1 and 0.2 are incompatible; 1.2 and 1.3 are not). The header's
// CONNECTLY_VERSION_MAJOR and _MINOR must equal these (a test checks it).
const (
	wantMajor = 0
	wantMinor = 1
)

// headerVersion is the version of the connectly.h this package was compiled against.
const headerVersion = C.CONNECTLY_VERSION

// errLibraryVersion is the error NewClient, NewClientFromEnv, NewWebhook and VerifyWebhook
// return when the C library (or the header the package was built with) is incompatible;
// nil when both are compatible. It is set once, at init: a cgo package that panics at init
// would stop a program that only imports it, without a chance to report the problem its own
// way.
var errLibraryVersion = checkLibraryVersion(headerVersion, Version())

// checkLibraryVersion is nil when both the header's and the library's versions are
// compatible with this package, and an ErrLibraryVersion error saying which was found and
// which is needed otherwise.
func checkLibraryVersion(header, library string) error {
	for _, found := range []struct{ what, version string }{
		{"the C library libconnectly (connectly_version())", library},
		{"the header connectly.h it was built with", header},
	} {
		if !compatibleVersion(found.version, wantMajor, wantMinor) {
			return &Error{
				Message: fmt.Sprintf("%s is version %q; this Go package needs %s "+
					"(install a matching libconnectly)", found.what, found.version, wantedVersion()),
				kind: ErrLibraryVersion,
			}
		}
	}
	return nil
}

// wantedVersion describes the compatible versions: "0.1.x" for 0.1, "1.x" for 1.
func wantedVersion() string {
	if wantMajor == 0 {
		return fmt.Sprintf("%d.%d.x", wantMajor, wantMinor)
	}
	return fmt.Sprintf("%d.x (at least %d.%d)", wantMajor, wantMajor, wantMinor)
}

// compatibleVersion reports whether version ("MAJOR.MINOR.PATCH", perhaps with a
// "-pre" or "+build" suffix) can serve a package written for major.minor: the same major
// and, for major 0, the same minor; for a major above 0, a minor at least minor (a newer
// library only adds). A version that does not parse is incompatible.
func compatibleVersion(version string, major, minor int) bool {
	core, _, _ := strings.Cut(version, "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return false
	}
	nums := make([]int, 3)
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" || (len(p) > 1 && p[0] == '0') {
			return false
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return false
		}
		nums[i] = n
	}
	if nums[0] != major {
		return false
	}
	if major == 0 {
		return nums[1] == minor
	}
	return nums[1] >= minor
}
