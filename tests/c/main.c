/* The C suite's runner: the harness, the mock helpers, and main(). */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "suite.h"
#include "vectors.h"

pthread_mutex_t harness_lock = PTHREAD_MUTEX_INITIALIZER;
long harness_checks = 0;
long harness_failures = 0;
struct mock_env mock;

void harness_pass(void) {
    pthread_mutex_lock(&harness_lock);
    harness_checks++;
    pthread_mutex_unlock(&harness_lock);
}

void harness_fail(const char *file, int line, const char *what) {
    pthread_mutex_lock(&harness_lock);
    harness_checks++;
    harness_failures++;
    fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
    pthread_mutex_unlock(&harness_lock);
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

unsigned char *unhex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2, i;
    unsigned char *out = malloc(n + 1);
    if (out == NULL) abort();
    for (i = 0; i < n; i++) {
        out[i] = (unsigned char)(hex_digit(hex[2 * i]) * 16 + hex_digit(hex[2 * i + 1]));
    }
    out[n] = 0;
    *len = n;
    return out;
}

int mock_control(const char *method, const char *path, const char *body, char **body_out) {
    const char *port_text = strrchr(mock.base_url, ':');
    struct sockaddr_in addr;
    char head[512];
    size_t body_len = body ? strlen(body) : 0, used = 0, cap = 4096;
    char *reply;
    int fd, status = -1, head_len;
    ssize_t n;

    if (body_out) *body_out = NULL;
    if (port_text == NULL) return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(port_text + 1));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    head_len = snprintf(head, sizeof head,
                        "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\n"
                        "Content-Type: application/json\r\nContent-Length: %lu\r\n"
                        "Connection: close\r\n\r\n",
                        method, path, mock.api_key, (unsigned long)body_len);
    if (write(fd, head, (size_t)head_len) != head_len ||
        (body_len > 0 && write(fd, body, body_len) != (ssize_t)body_len)) {
        close(fd);
        return -1;
    }
    reply = malloc(cap);
    if (reply == NULL) abort();
    while ((n = read(fd, reply + used, cap - used - 1)) > 0) {
        used += (size_t)n;
        if (cap - used < 2) {
            cap *= 2;
            reply = realloc(reply, cap);
            if (reply == NULL) abort();
        }
    }
    close(fd);
    reply[used] = 0;
    if (sscanf(reply, "HTTP/1.%*d %d", &status) != 1) status = -1;
    if (body_out) {
        const char *start = strstr(reply, "\r\n\r\n");
        size_t len = start ? strlen(start + 4) : 0;
        *body_out = malloc(len + 1);
        if (*body_out == NULL) abort();
        memcpy(*body_out, start ? start + 4 : "", len);
        (*body_out)[len] = 0;
    }
    free(reply);
    return status;
}

int mock_request_count(void) {
    char *body = NULL;
    const char *p;
    int count = 0;
    if (mock_control("GET", "/_mock/requests", NULL, &body) != 200) {
        free(body);
        return -1;
    }
    for (p = body; (p = strstr(p, "\"method\"")) != NULL; p++) count++;
    free(body);
    return count;
}

struct json *mock_requests(void) {
    char *body = NULL;
    struct json *parsed = NULL;
    if (mock_control("GET", "/_mock/requests", NULL, &body) == 200) {
        parsed = json_parse(body, strlen(body));
    }
    free(body);
    return parsed;
}

void mock_reset(void) {
    CHECK(mock_control("POST", "/_mock/reset", "", NULL) == 200);
}

int request_body_is(const struct json *request, const char *want) {
    const char *body = json_get_string(request, "body");
    struct json *got = body ? json_parse(body, strlen(body)) : NULL;
    struct json *expected = json_parse(want, strlen(want));
    int same = got != NULL && expected != NULL && json_equal(got, expected);
    if (!same) fprintf(stderr, "  request body %s\n  want         %s\n", body ? body : "(none)", want);
    json_free(got);
    json_free(expected);
    return same;
}

connectly_client *mock_client(int32_t max_retries, uint64_t timeout_ms) {
    connectly_client *client = NULL;
    if (connectly_client_new_with_options(mock.api_key, mock.business_id, mock.base_url,
                                          timeout_ms, max_retries, &client) != CONNECTLY_OK) {
        fprintf(stderr, "mock_client: %s\n", connectly_last_error_message());
        return NULL;
    }
    return client;
}

void conformance_report(const char *file, size_t rows) {
    const char *dir = getenv("CONNECTLY_CONFORMANCE_DIR");
    char path[1024];
    FILE *out;
    if (dir == NULL || *dir == 0) return;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    out = fopen(path, "w");
    CHECK(out != NULL);
    if (out == NULL) return;
    fprintf(out, "%lu\n", (unsigned long)rows);
    fclose(out);
}

struct test {
    const char *name;
    void (*run)(void);
};

int main(void) {
    static const struct test tests[] = {
        {"abi", test_abi},
        {"version", test_version},
        {"null_arguments", test_null_arguments},
        {"bad_inputs", test_bad_inputs},
        {"signature_vectors", test_signature_vectors},
        {"webhook_error_vectors", test_webhook_error_vectors},
        {"receiving_vectors", test_receiving_vectors},
        {"receive_null_arguments", test_receive_null_arguments},
        {"webhook_handle", test_webhook_handle},
        {"client_config", test_client_config},
        {"sends", test_sends},
        {"api_error_vectors", test_api_error_vectors},
        {"retry_vectors", test_retry_vectors},
        {"failures", test_failures},
        {"canary", test_canary},
        {"threads_errors", test_threads_errors},
        {"threads_send", test_threads_send},
        {"send_many", test_send_many},
        {"send_many_null", test_send_many_null},
        {"send_many_interrupt", test_send_many_interrupt},
        {"message_kinds", test_message_kinds},
        {"message_setters", test_message_setters},
        {"template_message", test_template_message},
        {"send_many_operations", test_send_many_operations},
        {"operations_null", test_operations_null},
        {"webhook_management", test_webhook_management},
        {"templates_list", test_templates_list},
        {"campaigns", test_campaigns},
        {"manage_null", test_manage_null},
        {"request_vectors", test_request_vectors},
        {"event_vectors", test_event_vectors},
        {"typed_events", test_typed_events},
        {"status_tracker", test_status_tracker},
        {"status_tracker_threads", test_status_tracker_threads},
        {"queue_operations", test_queue_operations},
        {"queue_errors", test_queue_errors},
        {"queue_thousand_cancelled", test_queue_thousand_cancelled},
        {"queue_thousand_in_one_latency", test_queue_thousand_in_one_latency},
        {"queue_faults", test_queue_faults},
        {"queue_cancel_waiting", test_queue_cancel_waiting},
        {"log_callback", test_log_callback},
        {"rate_limiters", test_rate_limiters},
        {"deduplicators", test_deduplicators},
        {"status_tracker_redis", test_status_tracker_redis},
        {"bulk_journal", test_bulk_journal},
        {"queue_free_in_flight", test_queue_free_in_flight},
        {"queue_null", test_queue_null},
    };
    /* CONNECTLY_C_TEST=name runs that test alone. */
    const char *only = getenv("CONNECTLY_C_TEST");
    size_t i;

    mock.base_url = getenv("CONNECTLY_BASE_URL");
    mock.api_key = getenv("CONNECTLY_API_KEY");
    mock.business_id = getenv("CONNECTLY_BUSINESS_ID");
    mock.webhook_secret = getenv("CONNECTLY_WEBHOOK_SECRET");
    if (!mock.base_url || !mock.api_key || !mock.business_id || !mock.webhook_secret) {
        fprintf(stderr, "set CONNECTLY_BASE_URL, _API_KEY, _BUSINESS_ID, _WEBHOOK_SECRET "
                        "(tests/c/run.sh starts the mock)\n");
        return 2;
    }
    for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        long before = harness_failures, checks = harness_checks;
        if (only != NULL && strcmp(only, tests[i].name) != 0) continue;
        tests[i].run();
        printf("%-24s %s (%ld checks)\n", tests[i].name,
               harness_failures == before ? "ok" : "FAILED", harness_checks - checks);
    }
    printf("C suite: %lu tests, %ld checks, %ld failed\n",
           (unsigned long)(sizeof tests / sizeof tests[0]), harness_checks, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
