#!/usr/bin/env bash
# The Go package as a user gets it (`make test-go-module`): the debug C library installed
# into a scratch prefix with `make install`, only the package's module files (go.mod, go.sum,
# the non-test *.go of the package and of connectlytest: what a module cache holds for
# github.com/connectly-sdk/connectly-sdk/go)
# copied read-only away from the repository, and a small program module outside it that
# requires the package through a replace to that copy. With no build tag the package finds
# the library through pkg-config (PKG_CONFIG_PATH at the prefix); CGO_LDFLAGS adds an rpath
# to the prefix's lib, so the linked programs find libconnectly.so at run time as a program
# linked against a system install would. Then: go vet, go build and run the program, and
# go test, both against the mock Connectly (started through the CLI, stopped on exit): a
# text and an image sent, and a delivery signed with Webhook.Sign, verified and typed. The
# test also starts a mock of its own with connectlytest, as a user's test would.
# Usage: tests/go/module.sh   (from any directory; idempotent)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/debug/connectly"
demo_label="test-go-module"
GO=${GO:-go}
base="$root/build/go-module"
prefix="$base/prefix"
module="github.com/connectly-sdk/connectly-sdk/go"
copy="$base/modcache/$module@v0.0.0"
app="$base/app"

# A previous run's read-only copy must be made writable before it can be removed.
if [ -d "$base" ]; then chmod -R u+w "$base"; fi
rm -rf "$base"
make -s --no-print-directory -C "$root" install C_PROFILE=debug PREFIX="$prefix"

mkdir -p "$copy"
cp "$root/go/go.mod" "$copy/"
if [ -f "$root/go/go.sum" ]; then cp "$root/go/go.sum" "$copy/"; fi
# The root package and its subpackages (connectlytest), each directory's non-test files.
for dir in "" connectlytest; do
  mkdir -p "$copy/$dir"
  for f in "$root/go/$dir"/*.go; do
    case "$f" in *_test.go) ;; *) cp "$f" "$copy/$dir/" ;; esac
  done
done
chmod -R a-w "$copy"
echo "module copy: $(cd "$copy" && find . -type f | sort | tr '\n' ' ')"

mkdir -p "$app"
cat >"$app/go.mod" <<MOD
module example.com/connectly-user

go 1.22

require $module v0.0.0

replace $module => ../modcache/$module@v0.0.0
MOD
cat >"$app/main.go" <<'GO'
// Command connectly-user sends a text through Connectly (CONNECTLY_* from the environment)
// and checks a signed delivery, as a program using the Go package would.
package main

import (
	"context"
	"fmt"
	"os"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func run() error {
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		return err
	}
	defer client.Close()
	resp, err := client.SendText("whatsapp", "+15555555555", "hello from a Go module")
	if err != nil {
		return err
	}
	fmt.Printf("sent: HTTP %d after %d attempt(s)\n", resp.Status, resp.Attempts)
	photo := connectly.Message{}.WithAttachment(
		connectly.Image("https://cdn.example.com/a.jpg").WithCaption("from a Go module"))
	resp, err = client.SendMessage(context.Background(), connectly.WhatsApp("+15555555555"), photo)
	if err != nil {
		return err
	}
	fmt.Printf("image sent: HTTP %d\n", resp.Status)
	webhook, err := connectly.NewWebhook("module-test-secret")
	if err != nil {
		return err
	}
	defer webhook.Close()
	body := []byte(`{"timestamp":"1639083206","sender":{"id":"+15555555555","channelType":"whatsapp"},"recipient":{"id":"x","channelType":"whatsapp"},"message":{"text":"hi"}}`)
	signature, err := webhook.Sign(body)
	if err != nil {
		return err
	}
	event, err := webhook.VerifyEvent(body, signature)
	if err != nil {
		return err
	}
	if event.Message == nil || event.Message.Text == nil || *event.Message.Text != "hi" {
		return fmt.Errorf("the delivery was not typed as an inbound message: %+v", event)
	}
	if err := connectly.VerifyWebhook("another-secret", body, signature); err == nil {
		return fmt.Errorf("a delivery signed with another secret verified")
	}
	fmt.Printf("delivery verified; libconnectly %s\n", connectly.Version())
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "connectly-user:", err)
		os.Exit(1)
	}
}
GO
cat >"$app/main_test.go" <<'GO'
package main

import (
	"testing"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

func TestSendAndVerify(t *testing.T) {
	if err := run(); err != nil {
		t.Fatal(err)
	}
}

// A test of its own mock, as a user's test would start one: connectlytest finds the CLI
// through CONNECTLY_BIN.
func TestWithItsOwnMock(t *testing.T) {
	mock := connectlytest.Start(t)
	mock.Setenv(t)
	if err := mock.FailNext(connectlytest.Status(429).WithRetryAfter("0")); err != nil {
		t.Fatal(err)
	}
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	resp, err := client.SendText("sms", "+15555555555", "from a user's test")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 {
		t.Errorf("a 429 then a success took %d attempt(s), want 2", resp.Attempts)
	}
	requests, err := mock.Requests()
	if err != nil {
		t.Fatal(err)
	}
	if len(requests) != 2 {
		t.Errorf("the mock received %d request(s), want 2: %v", len(requests), requests)
	}
}
GO

# shellcheck source=scripts/demo-lib.sh
. "$root/scripts/demo-lib.sh"
start_mock
echo "mock at $CONNECTLY_BASE_URL"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig" CGO_LDFLAGS="-Wl,-rpath,$prefix/lib"
export GOPROXY=off GOFLAGS=-buildvcs=false GOWORK=off
echo "pkg-config: $(pkg-config --cflags --libs connectly)"
cd "$app"
"$GO" vet "$module" ./...
"$GO" build -o connectly-user .
if command -v ldd >/dev/null; then
  lib=$(ldd ./connectly-user | grep libconnectly || true)
  case "$lib" in
    *"$prefix/lib/libconnectly.so"*) echo "linked: ${lib#"${lib%%[![:space:]]*}"}" ;;
    *) echo "$demo_label: the program does not load the installed libconnectly.so: $lib" >&2; exit 1 ;;
  esac
fi
./connectly-user
CONNECTLY_BIN="$bin" "$GO" test -count=1 ./...
echo "$demo_label: the Go module built and tested from the installed library through pkg-config"
