package connectly

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
)

type eventKey struct{}

// EventFromContext returns the verified event WebhookHandler put in the request's context.
func EventFromContext(ctx context.Context) (*Event, bool) {
	event, ok := ctx.Value(eventKey{}).(*Event)
	return event, ok
}

// WebhookHandler returns a net/http handler that verifies each delivery with secret and
// then calls next with the Event in the request's context (see EventFromContext). It
// panics when secret is empty (a configuration mistake, found at startup); for several
// secrets, NewWebhook and Webhook.Handler.
func WebhookHandler(secret string, next http.Handler) http.Handler {
	webhook, err := NewWebhook(secret)
	if err != nil {
		panic(err)
	}
	return webhook.Handler(next)
}

// Handler returns net/http middleware that verifies each delivery before next sees it.
//
// It answers 405 (with Allow: POST) to any other method; reads the raw body up to the
// verifier's size limit (413 beyond it), decompressing a gzip Content-Encoding (400 when it
// is not valid gzip); answers 403 to a missing, malformed or invalid signature or a
// timestamp outside the tolerance, and 400 to a signed body that is not an event. Only a
// verified delivery reaches next, with its Event in the request's context; next writes
// the response (200 if it writes nothing). The middleware itself never responds after
// calling next, so each request is answered exactly once.
func (w *Webhook) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", http.MethodPost)
			http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.mu.RLock()
		limit := w.maxBodySize
		w.mu.RUnlock()
		body, status := readBody(rw, r, limit)
		if status != 0 {
			http.Error(rw, http.StatusText(status), status)
			return
		}
		event, err := w.VerifyEvent(body, r.Header.Get(SignatureHeader))
		if err != nil {
			status := http.StatusForbidden
			switch {
			case errors.Is(err, ErrPayloadTooLarge):
				status = http.StatusRequestEntityTooLarge
			case errors.Is(err, ErrInvalidPayload):
				status = http.StatusBadRequest
			case errors.Is(err, ErrClosed), errors.Is(err, ErrInternal):
				status = http.StatusInternalServerError
			}
			http.Error(rw, http.StatusText(status), status)
			return
		}
		next.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), eventKey{}, event)))
	})
}

// readBody reads the raw (or gunzipped) body, at most limit bytes; a non-zero status on
// failure.
func readBody(rw http.ResponseWriter, r *http.Request, limit int) ([]byte, int) {
	var reader io.Reader = http.MaxBytesReader(rw, r.Body, int64(limit)+1)
	raw, err := io.ReadAll(reader)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	if len(raw) > limit {
		return nil, http.StatusRequestEntityTooLarge
	}
	switch r.Header.Get("Content-Encoding") {
	case "", "identity":
		return raw, 0
	case "gzip":
		gz, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, http.StatusBadRequest
		}
		plain, err := io.ReadAll(io.LimitReader(gz, int64(limit)+1))
		if err != nil {
			return nil, http.StatusBadRequest
		}
		if len(plain) > limit {
			return nil, http.StatusRequestEntityTooLarge
		}
		return plain, 0
	default:
		return nil, http.StatusUnsupportedMediaType
	}
}
