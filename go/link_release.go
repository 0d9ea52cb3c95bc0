//go:build connectly_release

package connectly

// This repository's release build (`-tags connectly_release`, what bench/go/run uses): the
// header in ../include and the release build of the C library (`make lib`: optimised,
// without the mock, the CLI or Python), linked statically. It wins over connectly_intree.

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: ${SRCDIR}/../target/release/libconnectly.a -lm -ldl -lpthread
*/
import "C"
