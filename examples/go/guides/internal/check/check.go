// Package check holds what the guide programs share to check their results, outside the
// sections the documentation shows: the mock the runner started (tests/docs/run_examples.py
// names it in CONNECTLY_BASE_URL and CONNECTLY_API_KEY), driven with connectlytest, and
// helpers that end the program, non-zero, on an error.
package check

import (
	"log"

	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

// Mock is the mock the environment names (connectlytest.FromEnv); without one the program
// exits. It needs no Close: that would stop nothing, only drop idle connections.
func Mock() *connectlytest.Mock {
	return Must(connectlytest.FromEnv())
}

// Must returns v, or ends the program with err when err is not nil.
func Must[T any](v T, err error) T {
	OK(err)
	return v
}

// OK ends the program with err when err is not nil.
func OK(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
