package connectly

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCompatibleVersion(t *testing.T) {
	for _, c := range []struct {
		version      string
		major, minor int
		want         bool
	}{
		{"0.1.0", 0, 1, true},
		{"0.1.7", 0, 1, true},
		{"0.1.0-rc.1", 0, 1, true},
		{"0.1.0+build.5", 0, 1, true},
		{"0.2.0", 0, 1, false}, // 0.x: the minor is the major
		{"0.0.9", 0, 1, false},
		{"1.1.0", 0, 1, false},
		{"1.0.0", 1, 0, true},
		{"1.4.2", 1, 2, true}, // a newer minor only adds
		{"1.1.0", 1, 2, false},
		{"2.0.0", 1, 0, false},
		{"0.1", 0, 1, false},
		{"", 0, 1, false},
		{"0.1.x", 0, 1, false},
		{"0.+1.0", 0, 1, false},
		{"0.01.0", 0, 1, false},
	} {
		if got := compatibleVersion(c.version, c.major, c.minor); got != c.want {
			t.Errorf("compatibleVersion(%q, %d, %d) = %v, want %v", c.version, c.major, c.minor, got, c.want)
		}
	}
}

// The package's version, the header's and the library's agree: the build under test is
// compatible, and the constants follow the header (CONNECTLY_VERSION_MAJOR.MINOR).
func TestLibraryVersionMatches(t *testing.T) {
	if errLibraryVersion != nil {
		t.Fatal(errLibraryVersion)
	}
	if prefix := fmt.Sprintf("%d.%d.", wantMajor, wantMinor); !strings.HasPrefix(headerVersion, prefix) {
		t.Errorf("connectly.h is %s but the package's wantMajor.wantMinor is %s: update version.go", headerVersion, prefix)
	}
	if Version() != headerVersion {
		t.Errorf("the library is %s, the header %s", Version(), headerVersion)
	}
}

func TestLibraryVersionError(t *testing.T) {
	err := checkLibraryVersion("0.1.0", "0.2.3")
	if !errors.Is(err, ErrLibraryVersion) {
		t.Fatalf("got %v, want ErrLibraryVersion", err)
	}
	for _, want := range []string{`"0.2.3"`, "needs 0.1.x", "libconnectly"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if err := checkLibraryVersion("1.0.0", "0.1.0"); !errors.Is(err, ErrLibraryVersion) || !strings.Contains(err.Error(), "connectly.h") {
		t.Errorf("a mismatched header: got %v", err)
	}
	if err := checkLibraryVersion("0.1.0", "0.1.4"); err != nil {
		t.Errorf("a compatible library: got %v", err)
	}
}

// The guarded entry points return the recorded mismatch before touching the library.
func TestEntryPointsRefuseAnIncompatibleLibrary(t *testing.T) {
	saved := errLibraryVersion
	defer func() { errLibraryVersion = saved }()
	errLibraryVersion = checkLibraryVersion("0.1.0", "0.2.0")
	if _, err := NewClient("key", "business"); !errors.Is(err, ErrLibraryVersion) {
		t.Errorf("NewClient: %v", err)
	}
	if _, err := NewClientFromEnv(); !errors.Is(err, ErrLibraryVersion) {
		t.Errorf("NewClientFromEnv: %v", err)
	}
	if _, err := NewWebhook("secret"); !errors.Is(err, ErrLibraryVersion) {
		t.Errorf("NewWebhook: %v", err)
	}
	if err := VerifyWebhook("secret", []byte("{}"), "sig"); !errors.Is(err, ErrLibraryVersion) {
		t.Errorf("VerifyWebhook: %v", err)
	}
}
