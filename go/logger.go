package connectly

/*
#include <connectly.h>

extern void connectlyGoLog(connectly_log_record *record, void *user);

// go_log_record hands a record to connectlyGoLog (exported from callbacks.go, whose C
// declaration cgo writes without const).
static void go_log_record(const connectly_log_record *record, void *user) {
	connectlyGoLog((connectly_log_record *)record, user);
}

// go_log_register makes go_log_record the library's log callback, capturing the failure as
// CAPTURE does (see session.go).
static enum connectly_status go_log_register(connectly_error **err) {
	enum connectly_status status = connectly_log_set_callback(go_log_record, NULL);
	*err = status == CONNECTLY_OK ? NULL : connectly_error_copy(connectly_last_error());
	return status;
}
*/
import "C"

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// logBacklog is how many records wait at most for the goroutine that hands them to the
// loggers; beyond it, records are dropped and counted (as the library does with its own
// queue), so that the library's logging thread never waits for a handler.
const logBacklog = 1024

// logRecord is one of the library's log records, copied out of C.
type logRecord struct {
	level   int
	client  uint64
	message string
	fields  string
	time    time.Time
}

// The logging bridge, process-wide as the library's callback is: registered once, when
// the first client with a logger is made.
var (
	logOnce     sync.Once
	logStartErr error
	logRecords  = make(chan logRecord, logBacklog)
	logDropped  atomic.Uint64
	loggersMu   sync.RWMutex
	loggers     = map[uint64]*slog.Logger{}
)

// registerLogger sends the records of the client id (and those about no one client) to
// logger, registering the library's callback the first time.
func registerLogger(id uint64, logger *slog.Logger) error {
	logOnce.Do(func() {
		var e *C.connectly_error
		status := C.go_log_register(&e)
		if logStartErr = captured(status, e); logStartErr == nil {
			go forwardLogs()
		}
	})
	if logStartErr != nil {
		return logStartErr
	}
	loggersMu.Lock()
	defer loggersMu.Unlock()
	loggers[id] = logger
	return nil
}

// unregisterLogger stops sending the client id's records anywhere.
func unregisterLogger(id uint64) {
	loggersMu.Lock()
	defer loggersMu.Unlock()
	delete(loggers, id)
}

// queueLogRecord takes a record from the library's logging thread without ever waiting:
// when the backlog is full, the record is dropped and counted.
func queueLogRecord(r logRecord) {
	r.time = time.Now()
	select {
	case logRecords <- r:
	default:
		logDropped.Add(1)
	}
}

// LogRecordsDropped is how many log records were dropped since the process started
// because they came faster than the loggers handled them (by the library, and by the
// package's own backlog). Each drop is also reported to every logger, by a Warn record
// "records dropped" with their count.
func LogRecordsDropped() uint64 {
	return uint64(C.connectly_log_dropped()) + logDropped.Load()
}

// forwardLogs hands the queued records to their loggers, one at a time, in order; it
// reports the records the backlog dropped before the next one.
func forwardLogs() {
	var reported uint64
	for r := range logRecords {
		if dropped := logDropped.Load(); dropped > reported {
			emitLog(logRecord{level: C.CONNECTLY_LOG_WARN, message: "records dropped",
				fields: "count=" + strconv.FormatUint(dropped-reported, 10), time: r.time})
			reported = dropped
		}
		emitLog(r)
	}
}

// emitLog hands r to its client's logger, or, for a record about no one client, to every
// logger (once each).
func emitLog(r logRecord) {
	var targets []*slog.Logger
	loggersMu.RLock()
	if r.client == 0 {
		for _, logger := range loggers {
			if !slices.Contains(targets, logger) {
				targets = append(targets, logger)
			}
		}
	} else if logger, ok := loggers[r.client]; ok {
		targets = append(targets, logger)
	}
	loggersMu.RUnlock()
	level := logLevel(r.level)
	ctx := context.Background()
	var attrs []slog.Attr
	for _, logger := range targets {
		if !logger.Enabled(ctx, level) {
			continue
		}
		if attrs == nil {
			attrs = logAttrs(r.fields)
		}
		record := slog.NewRecord(r.time, level, r.message, 0)
		record.AddAttrs(attrs...)
		// A handler's failure to write has nowhere better to go.
		_ = logger.Handler().Handle(ctx, record)
	}
}

// logLevel is the slog level of a library level.
func logLevel(level int) slog.Level {
	switch level {
	case C.CONNECTLY_LOG_DEBUG:
		return slog.LevelDebug
	case C.CONNECTLY_LOG_INFO:
		return slog.LevelInfo
	default:
		return slog.LevelWarn
	}
}

// logAttrs parses a record's fields, "key=value key=value", into attributes, in order: a
// value is an Int64 when it is a whole number written as Go writes one, else a String
// (possibly empty). Values hold no spaces; should one, the text up to the next key= stays
// in it, and text before the first key is kept as "fields".
func logAttrs(fields string) []slog.Attr {
	if fields == "" {
		return nil
	}
	type pair struct{ key, value string }
	var pairs []pair
	for _, token := range strings.Split(fields, " ") {
		key, value, ok := strings.Cut(token, "=")
		switch {
		case ok && isLogKey(key):
			pairs = append(pairs, pair{key, value})
		case len(pairs) > 0:
			pairs[len(pairs)-1].value += " " + token
		default:
			pairs = append(pairs, pair{"fields", token})
		}
	}
	attrs := make([]slog.Attr, len(pairs))
	for i, p := range pairs {
		if n, err := strconv.ParseInt(p.value, 10, 64); err == nil && strconv.FormatInt(n, 10) == p.value {
			attrs[i] = slog.Int64(p.key, n)
		} else {
			attrs[i] = slog.String(p.key, p.value)
		}
	}
	return attrs
}

// isLogKey reports whether s can be a field's key: letters, digits, '_' and '.'.
func isLogKey(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && r != '.' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
