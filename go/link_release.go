//go:build connectly_release

package connectly

// The release build of the C library (`make lib`: optimised, without the mock, the CLI or
// Python), selected with `-tags connectly_release`.

/*
#cgo LDFLAGS: ${SRCDIR}/../target/release/libconnectly.a -lm -ldl -lpthread
*/
import "C"
