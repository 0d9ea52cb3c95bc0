// Package connectly is the Go SDK for the Connectly business-messaging API (WhatsApp, SMS).
//
// It is a thin layer over the SDK's Rust core (through its C interface, linked statically):
// the same validation, retries, error kinds and webhook verification as every other
// language binding.
//
//	client, err := connectly.NewClient(apiKey, businessID)
//	if err != nil { ... }
//	defer client.Close()
//	resp, err := client.SendText("whatsapp", "+15555555555", "hello!")
//
//	http.Handle("/webhook", connectly.WebhookHandler(secret, handler))
//
// Every error matches one sentinel with errors.Is (ErrValidation, ErrRateLimited,
// ErrInvalidSignature, ...); errors the API answered are also an *APIError for errors.As.
//
// Building needs the C library, libconnectly, installed where pkg-config finds it
// (`#cgo pkg-config: connectly`): `make install PREFIX=...` in the SDK's repository, or a
// system package. For a prefix outside pkg-config's search path, set
// PKG_CONFIG_PATH=PREFIX/lib/pkgconfig, and let the program find the shared library at run
// time (LD_LIBRARY_PATH, or CGO_LDFLAGS=-Wl,-rpath,PREFIX/lib when building).
//
// The C library's version must match the package's: the same major version, and for 0.x
// the same minor (0.1 and 0.2 are incompatible, as semver has it). With another one,
// NewClient, NewClientFromEnv, NewWebhook and VerifyWebhook fail with ErrLibraryVersion,
// whose message says which version was found and which is needed.
//
// Inside the SDK's repository, the build tag connectly_intree links the in-tree debug
// library instead (../target/debug/libconnectly.a, `make lib-debug`: what `make test-go`
// uses), and connectly_release the in-tree release one (../target/release/libconnectly.a,
// `make lib`: what the benchmarks use); both take the header from ../include.
package connectly

/*
#include <stdlib.h>
#include <connectly.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Version is the version of the SDK's core library, such as "0.1.0".
func Version() string {
	return C.GoString(C.connectly_version())
}

// SignatureHeader is the HTTP header that carries a delivery's signature.
const SignatureHeader = "X-Connectly-Hmac-Sha256"

// cString copies s into C memory; free it with C.free.
func cString(s string) *C.char {
	return C.CString(s)
}

// bytesArg gives the (pointer, length) of b for a call that only reads it during the call.
// An empty slice is (NULL, 0).
func bytesArg(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

// withThread runs f locked to its OS thread: the C library keeps its last error per thread,
// so a call and the reading of its error must happen on the same one.
func withThread[T any](f func() T) T {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return f()
}
