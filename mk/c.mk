# The C interface: header generation (pinned cbindgen), the C libraries, install, C tests.
#
#   make header              regenerate include/connectly.h
#   make lib                 target/release/libconnectly.{so,a} (no mock or CLI inside)
#   make install PREFIX=...  lib, header, lib/pkgconfig/connectly.pc and the CMake package
#                            lib/cmake/connectly/ under PREFIX
#   make uninstall PREFIX=.. removes what `make install` put there
#   make test-c              header drift and C/C++ compile checks, exported symbols, the C
#                            suite plain, under valgrind, and with ASan+UBSan, and the
#                            installed library building examples/c through pkg-config, and
#                            a CMake project through find_package(connectly)

CBINDGEN_VERSION := 0.29.4
CBINDGEN := .tools/bin/cbindgen
C_BUILD := build/c
C_WARN := -std=c99 -Wall -Wextra -Werror -pedantic
C_SYS_LIBS := -lpthread -ldl -lm
C_TEST_SRCS := $(wildcard tests/c/*.c)
C_TEST_HDRS := $(wildcard tests/c/*.h)
C_DEBUG_LIB := target/debug/libconnectly.a
PREFIX ?= /usr/local
# Which build `make install` copies: release (default) or debug.
C_PROFILE ?= release
CONNECTLY_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
# Where `make install` puts the libraries under PREFIX, by the platform's conventions:
# libconnectly.so on Linux and other Unix, libconnectly.dylib on macOS; on Windows (Git Bash,
# Rust's MSVC target) connectly.dll in bin/ with its import library connectly.dll.lib, and the
# static connectly.lib.
C_HOST_OS := $(shell uname -s 2>/dev/null)
ifeq ($(C_HOST_OS),Darwin)
C_SHARED_LIB := lib/libconnectly.dylib
C_STATIC_LIB := lib/libconnectly.a
C_IMPORT_LIB :=
else ifneq ($(filter MINGW% MSYS% CYGWIN%,$(C_HOST_OS)),)
C_SHARED_LIB := bin/connectly.dll
C_STATIC_LIB := lib/connectly.lib
C_IMPORT_LIB := lib/connectly.dll.lib
else
C_SHARED_LIB := lib/libconnectly.so
C_STATIC_LIB := lib/libconnectly.a
C_IMPORT_LIB :=
endif
C_LIBS := $(C_STATIC_LIB) $(C_SHARED_LIB) $(C_IMPORT_LIB)
# The system libraries the static library needs, as rustc reports them (scripts/native-libs.sh).
C_NATIVE_LIBS := target/$(C_PROFILE)/connectly-native-libs
# Everything `make install` puts under PREFIX, relative to it: the one list install copies and
# records in C_INSTALL_MANIFEST, which is what uninstall removes.
C_INSTALL_FILES := include/connectly.h $(C_LIBS) lib/pkgconfig/connectly.pc \
	lib/cmake/connectly/connectlyConfig.cmake lib/cmake/connectly/connectlyConfigVersion.cmake
# The directories install makes when missing, parents first (. is PREFIX); the manifest
# records the ones it made, and uninstall removes those once empty, never any other.
C_INSTALL_DIRS := . include lib $(if $(filter bin/%,$(C_SHARED_LIB)),bin) lib/pkgconfig \
	lib/cmake lib/cmake/connectly lib/connectly
C_INSTALL_MANIFEST := lib/connectly/install-manifest.txt
C_SED_VARS := -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(CONNECTLY_VERSION)|' \
	-e "s|@SYS_LIBS_PC@|$$(cat $(C_NATIVE_LIBS).pc)|" \
	-e "s|@SYS_LIBS_CMAKE@|$$(cat $(C_NATIVE_LIBS).cmake)|" \
	-e 's|@SHARED_LIB@|$(C_SHARED_LIB)|' -e 's|@STATIC_LIB@|$(C_STATIC_LIB)|' \
	-e 's|@IMPORT_LIB@|$(C_IMPORT_LIB)|' \
	-e "s|@SIZEOF_VOID_P@|$$(($$(rustc --print cfg | sed -n 's/^target_pointer_width=\"\(.*\)\"/\1/p') / 8))|"
VALGRIND := valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=1
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

TESTS += test-c
# bench/c/run links the release static library (it also builds it, for running it alone).
BENCH_DEPS += lib

.PHONY: header header-check header-compile cbindgen-tool lib lib-debug install uninstall \
	c-symbols pkg-config-tool cmake-tool \
	test-c test-c-plain test-c-valgrind test-c-asan test-c-install test-c-cmake

## The pinned cbindgen, installed into .tools/ once.
cbindgen-tool:
	@if ! $(CBINDGEN) --version 2>/dev/null | grep -qx 'cbindgen $(CBINDGEN_VERSION)'; then \
		echo "installing cbindgen $(CBINDGEN_VERSION) into .tools/"; \
		$(CARGO) install cbindgen --version $(CBINDGEN_VERSION) --locked --root .tools --quiet; \
	fi

## Regenerates include/connectly.h from crates/connectly-ffi/.
header: cbindgen-tool
	$(CBINDGEN) --quiet --config cbindgen.toml --crate connectly-ffi --output include/connectly.h

## Fails when the committed header differs from what crates/connectly-ffi/ generates.
header-check: cbindgen-tool
	@mkdir -p $(C_BUILD)
	$(CBINDGEN) --quiet --config cbindgen.toml --crate connectly-ffi --output $(C_BUILD)/connectly.h
	@diff -u include/connectly.h $(C_BUILD)/connectly.h || \
		{ echo "include/connectly.h is stale: run 'make header' and commit it" >&2; exit 1; }

## The header compiles alone as strict C99 and as C++17.
header-compile:
	@mkdir -p $(C_BUILD)
	printf '#include "connectly.h"\nint main(void) { return connectly_version() == 0; }\n' \
		> $(C_BUILD)/header_only.c
	$(CC) $(C_WARN) -Iinclude -c $(C_BUILD)/header_only.c -o $(C_BUILD)/header_only.o
	$(CXX) -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -x c++ \
		-c $(C_BUILD)/header_only.c -o $(C_BUILD)/header_only_cpp.o

## The C libraries, release profile, without the mock or the CLI.
lib:
	$(CARGO) build --locked --release -p connectly-ffi

lib-debug:
	$(CARGO) build --locked -p connectly-ffi -p connectly-cli

## Installs C_INSTALL_FILES under PREFIX: the libraries, the header, connectly.pc and the
## CMake package (cmake/*.in), laid out in a scratch directory first; then the manifest.
install: $(if $(filter debug,$(C_PROFILE)),lib-debug,lib) $(C_NATIVE_LIBS).pc
	@set -e; P='$(DESTDIR)$(PREFIX)'; m="$$P/$(C_INSTALL_MANIFEST)"; \
	st=$$(mktemp -d); trap 'rm -rf "$$st"' EXIT; \
	for d in $(C_INSTALL_DIRS); do mkdir -p "$$st/$$d"; done; \
	ln -s '$(CURDIR)/include/connectly.h' "$$st/include/"; \
	for f in $(C_LIBS); do ln -s "$(CURDIR)/target/$(C_PROFILE)/$${f##*/}" "$$st/$$f"; done; \
	sed $(C_SED_VARS) connectly.pc.in > "$$st/lib/pkgconfig/connectly.pc"; \
	for f in connectlyConfig connectlyConfigVersion; do \
		sed $(C_SED_VARS) cmake/$$f.cmake.in > "$$st/lib/cmake/connectly/$$f.cmake"; done; \
	{ if [ -f "$$m" ]; then grep '/$$' "$$m" || true; fi; \
	  for d in $(C_INSTALL_DIRS); do [ -d "$$P/$$d" ] || echo "$$d/"; done; } > "$$st/dirs"; \
	for d in $(C_INSTALL_DIRS); do install -d "$$P/$$d"; done; \
	for f in $(C_INSTALL_FILES); do \
		case $$f in $(C_SHARED_LIB)) mode=755 ;; *) mode=644 ;; esac; \
		echo "install -m $$mode $$P/$$f"; install -m $$mode "$$st/$$f" "$$P/$$f"; done; \
	{ LC_ALL=C sort -u "$$st/dirs"; printf '%s\n' $(C_INSTALL_FILES); } > "$$m"; \
	echo "recorded in $$m"

# Written once per profile; again when the dependencies change.
$(C_NATIVE_LIBS).pc: Cargo.lock
	bash scripts/native-libs.sh $(CARGO) $(C_PROFILE)

## Removes the files install-manifest.txt names, then itself, then the directories install
## made, when empty.
uninstall:
	@P='$(DESTDIR)$(PREFIX)'; m="$$P/$(C_INSTALL_MANIFEST)"; \
	if [ ! -f "$$m" ]; then echo "no $$m: nothing 'make install' put there" >&2; exit 1; fi; \
	for f in $$(grep -v '/$$' "$$m"); do echo "rm -f $$P/$$f"; rm -f "$$P/$$f" || exit 1; done; \
	dirs=$$(grep '/$$' "$$m" | LC_ALL=C sort -r); \
	rm -f "$$m" && echo "rm -f $$m" || exit 1; \
	for d in $$dirs; do [ "$$d" != ./ ] || d=; \
		if rmdir "$$P/$$d" 2>/dev/null; then echo "rmdir $$P/$$d"; fi; done

## Every symbol the shared library exports starts with connectly_; no Python in either.
c-symbols: lib-debug
	@bad=$$(nm -D --defined-only target/debug/libconnectly.so | awk '{print $$3}' \
		| grep -v '^connectly_' || true); \
	if [ -n "$$bad" ]; then echo "unexpected exports:" >&2; echo "$$bad" >&2; exit 1; fi
	@if nm target/debug/libconnectly.a 2>/dev/null | grep -E ' [TU] _?Py' >/dev/null; then \
		echo "libconnectly.a references Python symbols" >&2; exit 1; fi
	@missing=$$(for sym in $$(nm -D --defined-only target/debug/libconnectly.so | awk '{print $$3}'); do \
		grep -qw "$$sym" tests/c/*.c || echo "$$sym"; done); \
	if [ -n "$$missing" ]; then echo "exports the C suite never calls: $$missing" >&2; exit 1; fi
	@if grep -o 'connectly_[a-z_]*(' include/connectly.h | tr -d '(' | sort -u \
		| while read -r sym; do nm -D --defined-only target/debug/libconnectly.so | grep -qw "$$sym" || echo "$$sym"; done \
		| grep .; then echo "declared in the header but not exported (above)" >&2; exit 1; fi
	@mkdir -p $(C_BUILD)
	@grep -v '^#' abi/symbols.txt > $(C_BUILD)/symbols.expected
	@nm -D --defined-only target/debug/libconnectly.so | awk '{print $$3}' | LC_ALL=C sort \
		| diff -u $(C_BUILD)/symbols.expected - \
		|| { echo "the exported symbols differ from abi/symbols.txt" >&2; exit 1; }
	@echo "exports: $$(nm -D --defined-only target/debug/libconnectly.so | wc -l) symbols, all connectly_*, all declared, all tested, as in abi/symbols.txt"

$(C_BUILD)/vectors.c: tests/c/gen_vectors.py $(wildcard tests/vectors/*.json)
	@mkdir -p $(C_BUILD)
	python3 tests/c/gen_vectors.py tests/vectors $@

# Plain: against the shared library (valgrind runs this one too).
$(C_BUILD)/test_plain: $(C_TEST_SRCS) $(C_TEST_HDRS) $(C_BUILD)/vectors.c include/connectly.h lib-debug
	$(CC) $(C_WARN) -g -Iinclude -Itests/c $(C_TEST_SRCS) $(C_BUILD)/vectors.c \
		-Ltarget/debug -lconnectly -Wl,-rpath,$(CURDIR)/target/debug $(C_SYS_LIBS) -o $@

# ASan + UBSan: against the static library.
$(C_BUILD)/test_asan: $(C_TEST_SRCS) $(C_TEST_HDRS) $(C_BUILD)/vectors.c include/connectly.h lib-debug
	$(CC) $(C_WARN) -g $(SANITIZE) -Iinclude -Itests/c $(C_TEST_SRCS) $(C_BUILD)/vectors.c \
		$(C_DEBUG_LIB) $(C_SYS_LIBS) -o $@

# The plain run reports the conformance rows it ran (mk/reliability.mk checks them).
CONFORMANCE_LANGUAGES += c

# Each run has the mock and a fresh redis-server (scripts/with-redis.sh) for the fleet tests.
test-c-plain: $(C_BUILD)/test_plain redis-server-tool
	mkdir -p target/conformance/c
	CONNECTLY_CONFORMANCE_DIR=$(CURDIR)/target/conformance/c \
		bash scripts/with-redis.sh bash tests/c/run.sh $(BIN) $(C_BUILD)/test_plain

# CONNECTLY_C_NO_TIME_BOUNDS: valgrind runs the library's I/O thread some twenty times
# slower, so the suite checks what completes there, not how soon.
test-c-valgrind: $(C_BUILD)/test_plain redis-server-tool
	CONNECTLY_C_NO_TIME_BOUNDS=1 \
		bash scripts/with-redis.sh bash tests/c/run.sh $(BIN) $(VALGRIND) $(C_BUILD)/test_plain

test-c-asan: $(C_BUILD)/test_asan redis-server-tool
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		bash scripts/with-redis.sh bash tests/c/run.sh $(BIN) $(C_BUILD)/test_asan

## pkg-config (or pkgconf); on a machine without either, installed with apt-get when root.
pkg-config-tool:
	@if ! command -v pkg-config >/dev/null && ! command -v pkgconf >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y pkg-config || { apt-get update && apt-get install -y pkg-config; }; \
		else echo "pkg-config is needed: install pkg-config or pkgconf" >&2; exit 1; fi; \
	fi

## Installs the debug build into build/c/prefix and builds the C examples from it through
## pkg-config (no paths into the source tree).
test-c-install: pkg-config-tool
	rm -rf $(C_BUILD)/prefix
	$(MAKE) --no-print-directory install C_PROFILE=debug PREFIX=$(CURDIR)/$(C_BUILD)/prefix
	PKG_CONFIG_PATH=$(CURDIR)/$(C_BUILD)/prefix/lib/pkgconfig sh -c '\
		pc=$$(command -v pkg-config || command -v pkgconf); \
		for ex in send receive; do \
			$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L examples/c/$$ex.c \
				$$($$pc --cflags --libs connectly) \
				-Wl,-rpath,$(CURDIR)/$(C_BUILD)/prefix/lib -o $(C_BUILD)/prefix/$$ex || exit 1; \
		done'
	@echo "examples/c built from the installed library through pkg-config"

## cmake; on a machine without it, installed with apt-get when root.
cmake-tool:
	@if ! command -v cmake >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y cmake || { apt-get update && apt-get install -y cmake; }; \
		else echo "cmake is needed: install cmake" >&2; exit 1; fi; \
	fi

C_CMAKE_PREFIX := $(CURDIR)/$(C_BUILD)/cmake-prefix
## Installs the debug build into build/c/cmake-prefix (whose lib/ exists already), copies
## it elsewhere, builds a CMake project from the copy with find_package(connectly) against
## both targets and runs it; then uninstalls: only the prefix and its lib/ may be left.
test-c-cmake: cmake-tool
	rm -rf $(C_CMAKE_PREFIX) $(C_CMAKE_PREFIX)-moved $(C_BUILD)/cmake-consumer
	mkdir -p $(C_CMAKE_PREFIX)/lib
	$(MAKE) --no-print-directory install C_PROFILE=debug PREFIX=$(C_CMAKE_PREFIX)
	cp -a $(C_CMAKE_PREFIX) $(C_CMAKE_PREFIX)-moved
	bash tests/c/cmake_consumer.sh $(C_CMAKE_PREFIX)-moved $(C_BUILD)/cmake-consumer \
		$(CONNECTLY_VERSION)
	rm -rf $(C_CMAKE_PREFIX)-moved
	$(MAKE) --no-print-directory uninstall PREFIX=$(C_CMAKE_PREFIX)
	@left=$$(cd $(C_CMAKE_PREFIX) && find . -mindepth 1); if [ "$$left" != ./lib ]; then \
		echo "uninstall left behind or removed too much (want only ./lib):" >&2; \
		echo "$$left" >&2; exit 1; fi
	@echo "uninstall removed every installed file and no directory it did not create"

test-c: header-check header-compile c-symbols test-c-plain test-c-valgrind test-c-asan \
	test-c-install test-c-cmake

DEMOS += demo-c

## The C examples against the mock (examples/c/demo.sh): send a text, an image and a
## template, then a receiver that upserts its registrations, verifies a message and the
## template's delivery status, and deletes them.
demo-c: lib-debug
	@mkdir -p $(C_BUILD)/examples
	for ex in send receive; do \
		$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -Iinclude examples/c/$$ex.c \
			-Ltarget/debug -lconnectly -Wl,-rpath,$(CURDIR)/target/debug $(C_SYS_LIBS) \
			-o $(C_BUILD)/examples/$$ex || exit 1; \
	done
	bash examples/c/demo.sh $(BIN) C $(C_BUILD)/examples/send $(C_BUILD)/examples/receive
