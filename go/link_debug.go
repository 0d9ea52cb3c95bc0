//go:build connectly_intree && !connectly_release

package connectly

// This repository's own build (`-tags connectly_intree`, what `make test-go` uses): the
// header in ../include and the debug build of the C library (`make lib-debug`), linked
// statically.

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: ${SRCDIR}/../target/debug/libconnectly.a -lm -ldl -lpthread
*/
import "C"
