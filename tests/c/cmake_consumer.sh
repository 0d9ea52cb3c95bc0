#!/usr/bin/env bash
# Writes a scratch CMake project into DIR that finds the installed SDK with
# find_package(connectly), builds one program against connectly::connectly and the same
# against connectly::connectly_static, and runs both.
# Usage: cmake_consumer.sh PREFIX DIR VERSION (PREFIX absolute; VERSION as in Cargo.toml)
set -euo pipefail

prefix=$1
dir=$2
version=$3
rm -rf "$dir"
mkdir -p "$dir"

cat >"$dir/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.10)
project(connectly_consumer C)

# A major version this one cannot satisfy is refused.
find_package(connectly 999 QUIET)
if(connectly_FOUND)
  message(FATAL_ERROR "find_package(connectly 999) accepted ${connectly_VERSION}")
endif()

find_package(connectly ${WANT_VERSION} REQUIRED)
message(STATUS "connectly ${connectly_VERSION} from ${connectly_DIR}")

foreach(kind shared static)
  add_executable(app_${kind} main.c)
  set_target_properties(app_${kind} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON)
  target_compile_options(app_${kind} PRIVATE -Wall -Wextra -Werror)
  target_compile_definitions(app_${kind} PRIVATE EXPECTED_VERSION="${connectly_VERSION}")
endforeach()
target_link_libraries(app_shared PRIVATE connectly::connectly)
target_link_libraries(app_static PRIVATE connectly::connectly_static)
CMAKE

cat >"$dir/main.c" <<'C'
#include <stdio.h>
#include <string.h>

#include "connectly.h"

int main(void) {
    /* tests/vectors/webhooks.json, "github-docs-example" (GitHub Docs' published digest). */
    static const char secret[] = "It's a Secret to Everybody";
    static const char body[] = "Hello, World!";
    static const char signature[] = "dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=";
    static const char tampered[] = "Hello, World?";
    const char *version = connectly_version();

    if (version == NULL || strcmp(version, EXPECTED_VERSION) != 0) {
        fprintf(stderr, "connectly_version() = %s, find_package found %s\n",
                version ? version : "(null)", EXPECTED_VERSION);
        return 1;
    }
    if (connectly_webhook_verify((const uint8_t *)secret, strlen(secret),
                                 (const uint8_t *)body, strlen(body), signature) != CONNECTLY_OK) {
        fprintf(stderr, "the published signature did not verify: %s\n",
                connectly_last_error_message());
        return 1;
    }
    if (connectly_webhook_verify((const uint8_t *)secret, strlen(secret),
                                 (const uint8_t *)tampered, strlen(tampered), signature)
        != CONNECTLY_ERROR_INVALID_SIGNATURE) {
        fprintf(stderr, "a tampered body verified\n");
        return 1;
    }
    printf("connectly %s: webhook signature verified\n", version);
    return 0;
}
C

want=$(echo "$version" | cut -d. -f1,2)
cmake -S "$dir" -B "$dir/build" -DCMAKE_PREFIX_PATH="$prefix" -DWANT_VERSION="$want" \
  -DCMAKE_BUILD_TYPE=Debug >"$dir/configure.log" || { cat "$dir/configure.log"; exit 1; }
grep 'connectly .* from' "$dir/configure.log"
cmake --build "$dir/build" -- --no-print-directory >"$dir/build.log" 2>&1 ||
  { cat "$dir/build.log"; exit 1; }

for kind in shared static; do
  printf '%s: ' "app_$kind"
  "$dir/build/app_$kind"
done

# The shared one loads the library from the prefix found; the static one does not load it.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
lib=$(ldd "$dir/build/app_shared" | awk '$1 == "libconnectly.so" { print $3 }')
if [ "$lib" != "$prefix/lib/libconnectly.so" ]; then
  echo "app_shared loads libconnectly.so from '$lib', not $prefix/lib" >&2
  exit 1
fi
if needed "$dir/build/app_static" | grep -q connectly; then
  echo "app_static needs a shared libconnectly" >&2
  exit 1
fi
echo "find_package(connectly $want): connectly::connectly and connectly::connectly_static built and ran"
