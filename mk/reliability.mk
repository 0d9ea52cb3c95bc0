# The shared conformance vectors (tests/vectors/): every language's runner writes how many
# rows of each file it ran to target/conformance/<language>/<file> (one number), and the Rust
# runner also writes how many rows each file holds to target/conformance/expected/<file>.
# `conformance-check` (the last step of `make test`) fails if any language in
# CONFORMANCE_LANGUAGES ran fewer rows than a file holds, or did not report at all.
# A language joins with `CONFORMANCE_LANGUAGES += <language>` in its mk/<language>.mk.

CONFORMANCE_FILES := webhooks.json webhook_errors.json api_errors.json retries.json \
	receiving.json events.json requests.json
CONFORMANCE_LANGUAGES += rust
CONFORMANCE_DIR := target/conformance

# Clear old reports first, so a runner that did not run this time cannot pass on stale ones.
TESTS := conformance-reset $(TESTS) conformance-check

.PHONY: conformance-reset conformance-check

conformance-reset:
	rm -rf $(CONFORMANCE_DIR)

conformance-check:
	@set -e; for file in $(CONFORMANCE_FILES); do \
	  held=$$(cat $(CONFORMANCE_DIR)/expected/$$file 2>/dev/null || echo unknown); \
	  for lang in $(sort $(CONFORMANCE_LANGUAGES)); do \
	    ran=$$(cat $(CONFORMANCE_DIR)/$$lang/$$file 2>/dev/null || echo 0); \
	    echo "conformance: $$lang ran $$ran of $$held rows of $$file"; \
	    if [ "$$ran" != "$$held" ]; then \
	      echo "conformance: $$lang ran $$ran of $$held rows of $$file" >&2; exit 1; \
	    fi; \
	  done; \
	done
