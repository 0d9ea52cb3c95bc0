package connectly

// The Go functions the library calls back, from threads of its own. A file that exports
// functions to C may declare but not define C functions in its preamble (cgo copies it
// into two C files), so the C that registers them lives in the files that use them.

/*
#include <stdint.h>
#include <connectly.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

//export connectlyGoProgress
func connectlyGoProgress(user unsafe.Pointer, done, failed, total C.size_t) {
	h := cgo.Handle(*(*C.uintptr_t)(user))
	h.Value().(*progress).report(clampInt(uint64(done)), clampInt(uint64(failed)), clampInt(uint64(total)))
}

//export connectlyGoLog
func connectlyGoLog(record *C.connectly_log_record, _ unsafe.Pointer) {
	queueLogRecord(logRecord{
		level:   int(record.level),
		client:  uint64(record.client),
		message: C.GoString(record.message),
		fields:  C.GoString(record.fields),
	})
}
