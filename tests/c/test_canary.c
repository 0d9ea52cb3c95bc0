/* ABI hygiene and the secret canary, from C.
 *
 * Version: connectly_version() equals the header's CONNECTLY_VERSION, and the
 * CONNECTLY_VERSION_MAJOR/_MINOR/_PATCH macros format to the same string. (That every export
 * is connectly_* and the set equals abi/symbols.txt is `make c-symbols`, in mk/c.mk.)
 *
 * Canary: every error path is triggered with a canary API key and a canary webhook secret —
 * 401 (scripted, and the mock's own answer to the unknown key), 403, 429 (retried until out of
 * attempts), 500, 502, other 4xx, a 302 redirect, a timeout, a dropped, reset or half-written
 * answer, an oversized response (chunked and not), a refused connection, a TLS failure (https
 * spoken to the plain-HTTP mock), configuration and validation errors, and each webhook error
 * kind — with the scripted error replies echoing the key back, as a careless proxy might. Every
 * text the library hands a C caller afterwards (last error message, API message, code and
 * trace id; a response body, should a call return one) must contain the canaries 0 times.
 *
 * Logging: the library writes no logs. It installs no logger, reads no RUST_LOG (or any other
 * logging variable) and never writes to stdout or stderr, so there is no "most verbose" level
 * to set and no process output to capture in C: the texts checked here are everything it says.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "suite.h"

static const char KEY[] = "CANARY-API-KEY-c7e3a1";
static const char SECRET[] = "CANARY-WEBHOOK-SECRET-4f9d20";
#define PHONE "+15555555555"

/* Statuses up to CONNECTLY_ERROR_INTERNAL (99) that the canary paths produced. */
static int produced[100];
static long texts_checked;

void test_version(void) {
    char formatted[64];
#if !defined(CONNECTLY_VERSION_MAJOR) || !defined(CONNECTLY_VERSION_MINOR) || \
    !defined(CONNECTLY_VERSION_PATCH) || !defined(CONNECTLY_VERSION)
#error "connectly.h lacks the CONNECTLY_VERSION macros"
#endif
/* Usable in the preprocessor, as version checks need. */
#if CONNECTLY_VERSION_MAJOR < 0 || CONNECTLY_VERSION_MINOR < 0 || CONNECTLY_VERSION_PATCH < 0
#error "negative version number"
#endif
    CHECK(connectly_version() != NULL);
    CHECK_STR(connectly_version(), CONNECTLY_VERSION);
    snprintf(formatted, sizeof formatted, "%d.%d.%d", CONNECTLY_VERSION_MAJOR,
             CONNECTLY_VERSION_MINOR, CONNECTLY_VERSION_PATCH);
    CHECK_STR(formatted, CONNECTLY_VERSION);
    CHECK_STR(formatted, connectly_version());
}

/* Fails when text (NULL is nothing) holds either canary. */
static void check_text(const char *what, const char *text) {
    if (text == NULL) return;
    texts_checked++;
    if (strstr(text, KEY) == NULL && strstr(text, SECRET) == NULL) {
        harness_pass();
    } else {
        char message[640];
        snprintf(message, sizeof message, "a canary appears in %s: \"%.500s\"", what, text);
        harness_fail(__FILE__, __LINE__, message);
    }
}

/* Records a failed call's status and checks every last-error text. */
static void check_failure(const char *what, connectly_status got) {
    CHECK(got != CONNECTLY_OK);
    if ((unsigned)got < sizeof produced / sizeof produced[0]) produced[got] = 1;
    check_text(what, connectly_last_error_message());
    check_text(what, connectly_last_error_api_message());
    check_text(what, connectly_last_error_code());
    check_text(what, connectly_last_error_trace_id());
    check_text(what, connectly_status_name(got));
}

static connectly_client *canary_client(const char *base_url, uint64_t timeout_ms,
                                       int32_t max_retries) {
    connectly_client *client = NULL;
    CHECK_STATUS(connectly_client_new_with_options(KEY, mock.business_id, base_url, timeout_ms,
                                                   max_retries, &client),
                 CONNECTLY_OK);
    return client;
}

/* One send that must fail; its texts are checked. */
static void send_fails(connectly_client *client, const char *what) {
    connectly_response *response = NULL;
    connectly_status got;
    if (client == NULL) return;
    got = connectly_send_text(client, "whatsapp", PHONE, "canary message", &response);
    check_failure(what, got);
    CHECK(response == NULL);
    if (response != NULL) {
        check_text(what, connectly_response_body(response));
        connectly_response_free(response);
    }
}

static void fail_next(const char *json) {
    char *reply = NULL;
    int status = mock_control("POST", "/_mock/fail", json, &reply);
    if (status != 200) fprintf(stderr, "/_mock/fail %s: %d %s\n", json, status, reply);
    CHECK(status == 200);
    free(reply);
}

/* Writes text as the inside of a JSON string. */
static void json_escape(char *out, size_t cap, const char *text) {
    size_t used = 0;
    for (; *text != 0 && used + 3 < cap; text++) {
        if (*text == '"' || *text == '\\') out[used++] = '\\';
        out[used++] = *text;
    }
    out[used] = 0;
}

/* A port on 127.0.0.1 that nothing listens on (bound, then closed). */
static int closed_port(void) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 1;
    if (fd < 0) return port;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
}

static void client_paths(void) {
    static const int statuses[] = {400, 401, 403, 404, 429, 500, 502, 302};
    connectly_client *client = canary_client(mock.base_url, 5000, 0);
    connectly_client *retrying = canary_client(mock.base_url, 5000, 2);
    connectly_client *hasty = canary_client(mock.base_url, 300, 0);
    connectly_client *other = NULL;
    connectly_response *response = NULL;
    char echo[512], escaped[640], script[2048], url[128], *saved_key;
    size_t i;

    snprintf(echo, sizeof echo,
             "{\"message\":\"echo %s\",\"code\":\"%s\",\"cntTraceId\":\"%s\","
             "\"userMessage\":\"%s\"}",
             KEY, KEY, KEY, SECRET);
    json_escape(escaped, sizeof escaped, echo);

    /* The mock's own answer to a key it does not know: 401. */
    CHECK(mock_control("POST", "/_mock/reset", "", NULL) == 200);
    send_fails(client, "the mock's 401");
    CHECK(connectly_last_error_http_status() == 401);

    /* Scripted statuses, each with a JSON body echoing the key, then a plain-text one. */
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        snprintf(script, sizeof script, "[{\"status\":%d,\"body\":\"%s\"}]", statuses[i],
                 escaped);
        fail_next(script);
        send_fails(client, "a scripted status with an echoing JSON body");
        snprintf(script, sizeof script, "[{\"status\":%d,\"body\":\"plain text %s\"}]",
                 statuses[i], KEY);
        fail_next(script);
        send_fails(client, "a scripted status with an echoing text body");
    }

    /* 429 with Retry-After, retried until out of attempts. */
    snprintf(script, sizeof script,
             "[{\"status\":429,\"retry_after\":\"0\",\"body\":\"%s\"},"
             "{\"status\":429,\"retry_after\":\"0\",\"body\":\"%s\"},"
             "{\"status\":429,\"retry_after\":\"0\",\"body\":\"%s\"}]",
             escaped, escaped, escaped);
    fail_next(script);
    send_fails(retrying, "429 retried until out of attempts");
    CHECK(connectly_last_error_attempts() == 3);

    /* Broken answers, and oversized ones (11 MiB; the limit is 10 MiB). */
    fail_next("[{\"drop\":true}]");
    send_fails(client, "a dropped connection");
    fail_next("[{\"reset_mid_body\":true}]");
    send_fails(client, "a reset mid-body");
    fail_next("[{\"half_written\":true}]");
    send_fails(client, "a half-written answer");
    fail_next("[{\"huge_bytes\":11534336,\"chunked\":true}]");
    send_fails(client, "an oversized chunked response");
    fail_next("[{\"huge_bytes\":11534336}]");
    send_fails(client, "an oversized response");

    /* No answer within the timeout. */
    fail_next("[{\"delay_ms\":2000}]");
    send_fails(hasty, "a timeout");

    /* Refused: nothing listens on the port. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
    other = canary_client(url, 5000, 1);
    send_fails(other, "a refused connection");
    connectly_client_free(other);

    /* TLS spoken to the plain-HTTP mock: the handshake fails. */
    snprintf(url, sizeof url, "https://%s", strstr(mock.base_url, "://") + 3);
    other = canary_client(url, 5000, 2);
    send_fails(other, "a TLS failure");
    connectly_client_free(other);

    /* Configuration and validation errors that involve the key or the secret. */
    snprintf(script, sizeof script, "%s\n", KEY);
    other = NULL;
    check_failure("a key with a newline",
                  connectly_client_new(script, mock.business_id, NULL, &other));
    snprintf(script, sizeof script, "%s x", KEY);
    check_failure("a key with a space",
                  connectly_client_new(script, mock.business_id, NULL, &other));
    check_failure("a key and an unusable base URL",
                  connectly_client_new(KEY, mock.business_id, "ftp://127.0.0.1", &other));
    check_failure("too many retries", connectly_client_new_with_options(
                                          KEY, mock.business_id, NULL, 0, 11, &other));
    CHECK(other == NULL);
    saved_key = malloc(strlen(mock.api_key) + 1);
    if (saved_key == NULL) abort();
    strcpy(saved_key, mock.api_key);
    snprintf(script, sizeof script, "%s\n", KEY);
    setenv("CONNECTLY_API_KEY", script, 1);
    check_failure("a key from the environment with a newline",
                  connectly_client_new_from_env(&other));
    CHECK(other == NULL);
    setenv("CONNECTLY_API_KEY", saved_key, 1);
    mock.api_key = getenv("CONNECTLY_API_KEY");
    free(saved_key);
    if (client != NULL) {
        snprintf(url, sizeof url, "https://%s:%s@example.com/", KEY, SECRET);
        check_failure("a webhook address with credentials",
                      connectly_create_webhook(client, url, "messages", &response));
        snprintf(url, sizeof url, "http://example.com/%s", SECRET);
        check_failure("a plain-http webhook address",
                      connectly_create_webhook(client, url, "messages", &response));
        snprintf(url, sizeof url, "https://example.com/%s", SECRET);
        check_failure("an unknown webhook topic",
                      connectly_create_webhook(client, url, KEY, &response));
        CHECK(response == NULL);
    }

    connectly_client_free(client);
    connectly_client_free(retrying);
    connectly_client_free(hasty);
    CHECK(mock_control("POST", "/_mock/reset", "", NULL) == 200);
}

static connectly_webhook *canary_webhook(const char *secret) {
    const uint8_t *secrets[1];
    size_t lens[1];
    connectly_webhook *webhook = NULL;
    secrets[0] = (const uint8_t *)secret;
    lens[0] = strlen(secret);
    CHECK_STATUS(connectly_webhook_new(secrets, lens, 1, &webhook), CONNECTLY_OK);
    return webhook;
}

static void webhook_paths(void) {
    connectly_webhook *webhook = canary_webhook(SECRET);
    connectly_webhook *keyed = canary_webhook(KEY);
    connectly_webhook *small = canary_webhook(SECRET);
    connectly_webhook *strict = canary_webhook(SECRET);
    connectly_webhook *none = NULL;
    connectly_event *event = NULL;
    const uint8_t *secrets[9];
    size_t lens[9], body_len, i;
    char body[512], not_event[128];
    char good[CONNECTLY_SIGNATURE_BUFFER_SIZE], wrong[CONNECTLY_SIGNATURE_BUFFER_SIZE];
    char not_event_sig[CONNECTLY_SIGNATURE_BUFFER_SIZE];

    if (webhook == NULL || keyed == NULL || small == NULL || strict == NULL) goto done;
    snprintf(body, sizeof body,
             "{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"%s\",\"channelType\":\"%s\"},"
             "\"recipient\":{\"id\":\"1\",\"channelType\":\"whatsapp\"}}",
             KEY, SECRET);
    body_len = strlen(body);
    snprintf(not_event, sizeof not_event, "%s %s", SECRET, KEY);
    CHECK_STATUS(connectly_webhook_sign(webhook, (const uint8_t *)body, body_len, good,
                                        sizeof good),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_sign(keyed, (const uint8_t *)body, body_len, wrong,
                                        sizeof wrong),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_sign(webhook, (const uint8_t *)not_event, strlen(not_event),
                                        not_event_sig, sizeof not_event_sig),
                 CONNECTLY_OK);
    check_text("a signature", good);
    {
        connectly_webhook *derived = NULL;
        connectly_webhook_options options;
        memset(&options, 0, sizeof options);
        options.max_body_size = 10;
        CHECK_STATUS(connectly_webhook_with_options(small, &options, &derived), CONNECTLY_OK);
        connectly_webhook_free(small);
        small = derived;
        options.max_body_size = 0;
        options.check_timestamp = true;
        options.tolerance_secs = 60;
        CHECK_STATUS(connectly_webhook_with_options(strict, &options, &derived), CONNECTLY_OK);
        connectly_webhook_free(strict);
        strict = derived;
    }

    check_failure("a missing signature", connectly_webhook_verify_signature(
                                             webhook, (const uint8_t *)body, body_len, NULL));
    check_failure("the secret as the signature",
                  connectly_webhook_verify_signature(webhook, (const uint8_t *)body, body_len, SECRET));
    check_failure("the key as the signature",
                  connectly_webhook_verify_signature(webhook, (const uint8_t *)body, body_len, KEY));
    check_failure("a signature made with another secret",
                  connectly_webhook_verify_signature(webhook, (const uint8_t *)body, body_len, wrong));
    check_failure("one-shot, another secret's signature",
                  connectly_webhook_verify((const uint8_t *)SECRET, strlen(SECRET),
                                           (const uint8_t *)body, body_len, wrong));
    check_failure("one-shot, the secret as the signature",
                  connectly_webhook_verify((const uint8_t *)SECRET, strlen(SECRET),
                                           (const uint8_t *)body, body_len, SECRET));
    check_failure("a body over the limit",
                  connectly_webhook_verify_signature(small, (const uint8_t *)body, body_len, good));
    check_failure("a signed body that is not an event",
                  connectly_webhook_verify_event(webhook, (const uint8_t *)not_event,
                                                 strlen(not_event), not_event_sig, &event));
    check_failure("a timestamp outside the tolerance",
                  connectly_webhook_verify_event(strict, (const uint8_t *)body, body_len, good,
                                                 &event));
    CHECK(event == NULL);
    for (i = 0; i < 9; i++) {
        secrets[i] = (const uint8_t *)SECRET;
        lens[i] = strlen(SECRET);
    }
    check_failure("nine secrets", connectly_webhook_new(secrets, lens, 9, &none));
    lens[1] = 0;
    check_failure("an empty second secret", connectly_webhook_new(secrets, lens, 2, &none));
    check_failure("an empty one-shot secret",
                  connectly_webhook_verify((const uint8_t *)SECRET, 0, (const uint8_t *)body,
                                           body_len, good));
    CHECK(none == NULL);
done:
    connectly_webhook_free(webhook);
    connectly_webhook_free(keyed);
    connectly_webhook_free(small);
    connectly_webhook_free(strict);
}

void test_canary(void) {
    static const connectly_status required[] = {
        CONNECTLY_ERROR_VALIDATION,
        CONNECTLY_ERROR_CONFIG,
        CONNECTLY_ERROR_AUTHENTICATION,
        CONNECTLY_ERROR_RATE_LIMITED,
        CONNECTLY_ERROR_API,
        CONNECTLY_ERROR_SERVER,
        CONNECTLY_ERROR_REDIRECT,
        CONNECTLY_ERROR_TIMEOUT,
        CONNECTLY_ERROR_TRANSPORT,
        CONNECTLY_ERROR_TLS,
        CONNECTLY_ERROR_RESPONSE_TOO_LARGE,
        CONNECTLY_ERROR_MISSING_SIGNATURE,
        CONNECTLY_ERROR_MALFORMED_SIGNATURE,
        CONNECTLY_ERROR_INVALID_SIGNATURE,
        CONNECTLY_ERROR_PAYLOAD_TOO_LARGE,
        CONNECTLY_ERROR_INVALID_PAYLOAD,
        CONNECTLY_ERROR_INVALID_SECRET,
        CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE,
    };
    size_t i, kinds = 0;

    memset(produced, 0, sizeof produced);
    texts_checked = 0;
    client_paths();
    webhook_paths();
    for (i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (produced[required[i]]) {
            harness_pass();
            kinds++;
        } else {
            char message[128];
            snprintf(message, sizeof message, "no canary path produced %s",
                     connectly_status_name(required[i]));
            harness_fail(__FILE__, __LINE__, message);
        }
    }
    printf("canary: %lu error kinds, %ld texts checked\n", (unsigned long)kinds, texts_checked);
}
