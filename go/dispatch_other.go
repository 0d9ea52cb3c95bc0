//go:build !unix

package connectly

// startDispatcher starts the goroutine that hands completions to the calls waiting for
// them: off Unix the library gives no descriptor (fd is -1), so it waits in C. It returns
// what stops it.
func (s *session) startDispatcher(int) (func(), error) {
	return s.waitLoop(), nil
}
