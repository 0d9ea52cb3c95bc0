//go:build !connectly_intree && !connectly_release

package connectly

// The default: the installed C library, found through pkg-config (connectly.pc, which
// `make install PREFIX=...` or a system package installs). Set PKG_CONFIG_PATH to
// PREFIX/lib/pkgconfig for a prefix pkg-config does not search; the binary then needs the
// shared library at run time (LD_LIBRARY_PATH, or CGO_LDFLAGS=-Wl,-rpath,PREFIX/lib).

/*
#cgo pkg-config: connectly
*/
import "C"
