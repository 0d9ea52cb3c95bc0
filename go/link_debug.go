//go:build !connectly_release

package connectly

// The debug build of the C library (`make lib-debug`), the default: what the tests use.

/*
#cgo LDFLAGS: ${SRCDIR}/../target/debug/libconnectly.a -lm -ldl -lpthread
*/
import "C"
