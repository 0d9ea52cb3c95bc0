package connectly

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestEveryStatusHasASentinel walks every status the library defines (any number it can
// name) and checks that the package maps it: a status added to the library without a
// sentinel here fails.
func TestEveryStatusHasASentinel(t *testing.T) {
	named := 0
	for n := 1; n < 1024; n++ {
		name := statusName(n)
		if name == "CONNECTLY_UNKNOWN_STATUS" {
			continue
		}
		named++
		if _, ok := kindOf(n); !ok {
			t.Errorf("status %d (%s) has no sentinel", n, name)
		}
	}
	if named != len(statusErrors) {
		t.Errorf("the library names %d failure statuses; the package maps %d", named, len(statusErrors))
	}
}

// TestValidationErrorField: a validation error names the input it refused in Field, the
// core's name, which its message starts with, whether the core refused it when sending, a
// setter refused it while building the message, or Go's JSON encoder could not marshal it.
// Other errors, and a NUL byte refused before reaching the core, name none.
func TestValidationErrorField(t *testing.T) {
	client := mockClient(t, WithMaxRetries(0))
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"blank text", func() error {
			_, err := client.SendText("whatsapp", "+15555555555", " ")
			return err
		}, "text"},
		{"recipient", func() error {
			_, err := client.SendMessage(ctx, WhatsApp("+1"), Message{}.WithText("hi"))
			return err
		}, "recipient id"},
		{"attachment type", func() error {
			_, err := client.SendMessage(ctx, WhatsApp("+15555555555"),
				Message{}.WithAttachment(NewAttachment("sticker", "https://cdn.example.com/s.webp")))
			return err
		}, "attachment type"},
		{"callback data", func() error {
			_, err := client.SendTemplateMessage(ctx,
				NewTemplateMessage("+15555555555", "welcome").WithCallbackData(make(chan int)))
			return err
		}, "callback data"},
		{"NUL byte", func() error {
			_, err := client.SendText("whatsapp", "+15555555555", "a\x00b")
			return err
		}, ""},
	} {
		err := tc.call()
		var e *Error
		if !errors.Is(err, ErrValidation) || !errors.As(err, &e) || e.Field != tc.field {
			t.Errorf("%s: %#v, want a validation error of %q", tc.name, err, tc.field)
			continue
		}
		if tc.field != "" && !strings.HasPrefix(e.Message, "invalid "+tc.field+": ") {
			t.Errorf("%s: field %q, message %q", tc.name, e.Field, e.Message)
		}
	}

	offline, err := NewClient("key", "business", WithBaseURL("http://127.0.0.1:1"), WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer offline.Close()
	_, err = offline.SendText("whatsapp", "+15555555555", "hi")
	var e *Error
	if !errors.Is(err, ErrTransport) || !errors.As(err, &e) || e.Field != "" || e.PossiblySent {
		t.Errorf("transport error (no connection): %#v", err)
	}
}
