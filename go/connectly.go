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
// Building needs the C library: run `make lib-debug` (or `make test-go`) at the repository
// root first; cgo links ../target/debug/libconnectly.a. With the build tag connectly_release
// (`go build -tags connectly_release`) it links ../target/release/libconnectly.a instead,
// which `make lib` builds: the optimised library, for benchmarks and production builds.
package connectly

/*
#cgo CFLAGS: -I${SRCDIR}/../include
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
