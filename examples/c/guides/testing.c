// connectly-example: test
/*
 * Testing: a test program that starts its own mock Connectly (`connectly mock`, the binary
 * named by CONNECTLY_BIN or found on PATH), points a client at it, asserts on what the mock
 * received, makes it fail on demand, and stops it. It talks to the mock through the mock's
 * control endpoints (/_mock/..., with the mock's API key): GET /_mock/requests lists what it
 * received, POST /_mock/fail scripts failures, POST /_mock/reset forgets both.
 *
 * Exits 0 when every check passed.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "connectly.h"
#include "mock_control.h" /* mock_control_request, behind mock_control below */

extern char **environ;

static int checks = 0, failures = 0;

#define CHECK(cond)                                                       \
    do {                                                                  \
        checks++;                                                         \
        if (!(cond)) {                                                    \
            failures++;                                                   \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                 \
    } while (0)

/* A running mock: its process and the settings it wrote. */
struct mock {
    pid_t pid;
    char dir[256], env_file[300];
    char base_url[128], api_key[128], business_id[128], webhook_secret[128];
};

/* Reads the KEY=VALUE lines `connectly mock --env-file` writes (once it serves; the file
 * appears whole). Returns 1 when all four settings were there. */
static int read_settings(struct mock *mock) {
    char line[256];
    int found = 0;
    FILE *file = fopen(mock->env_file, "r");
    if (file == NULL) return 0;
    while (fgets(line, sizeof line, file) != NULL) {
        char *value = strchr(line, '='), *target = NULL;
        if (value == NULL) continue;
        *value++ = 0;
        value[strcspn(value, "\n")] = 0;
        if (strcmp(line, "CONNECTLY_BASE_URL") == 0) target = mock->base_url;
        if (strcmp(line, "CONNECTLY_API_KEY") == 0) target = mock->api_key;
        if (strcmp(line, "CONNECTLY_BUSINESS_ID") == 0) target = mock->business_id;
        if (strcmp(line, "CONNECTLY_WEBHOOK_SECRET") == 0) target = mock->webhook_secret;
        if (target != NULL) found += snprintf(target, 128, "%s", value) < 128;
    }
    fclose(file);
    return found == 4;
}

// --8<-- [start:mock]
/* Starts `connectly mock` on a free port and waits (up to 10 s) until it serves; 0 then. */
static int start_mock(struct mock *mock) {
    const char *bin = getenv("CONNECTLY_BIN"); /* else found on PATH */
    char *argv[] = {"connectly", "mock", "--env-file", mock->env_file, NULL};
    struct timespec pause = {0, 50 * 1000 * 1000};
    posix_spawn_file_actions_t io;
    int i, failed;
    /* Its stdin is where it reads lines to deliver; its stdout repeats the settings. */
    if (posix_spawn_file_actions_init(&io) != 0) return -1;
    failed = posix_spawn_file_actions_addopen(&io, 0, "/dev/null", O_RDONLY, 0) != 0 ||
             posix_spawn_file_actions_addopen(&io, 1, "/dev/null", O_WRONLY, 0) != 0 ||
             posix_spawnp(&mock->pid, bin ? bin : "connectly", &io, NULL, argv, environ) != 0;
    posix_spawn_file_actions_destroy(&io);
    if (failed) return -1;
    for (i = 0; i < 200; i++, nanosleep(&pause, NULL)) {
        if (read_settings(mock)) return 0;
        if (waitpid(mock->pid, NULL, WNOHANG) == mock->pid) return -1; /* it exited */
    }
    kill(mock->pid, SIGTERM);
    waitpid(mock->pid, NULL, 0);
    return -1;
}

static void stop_mock(struct mock *mock) {
    kill(mock->pid, SIGTERM);
    waitpid(mock->pid, NULL, 0);
}

/* The client under test, pointed at the mock. */
static connectly_client *mock_client(const struct mock *mock, int32_t max_retries) {
    connectly_client_options options = connectly_client_options_default();
    connectly_client *client = NULL;
    options.api_key = mock->api_key;
    options.business_id = mock->business_id;
    options.base_url = mock->base_url; /* plain http: allowed for loopback only */
    options.max_retries = max_retries;
    if (connectly_client_new_with(&options, &client) != CONNECTLY_OK) {
        fprintf(stderr, "client: %s\n", connectly_last_error_message());
    }
    return client;
}
// --8<-- [end:mock]

/* One request to the mock's control endpoints. Returns the HTTP status, or -1; when `reply`
 * is not NULL, stores the body there (free it). */
static int mock_control(const struct mock *mock, const char *method, const char *path,
                        const char *body, char **reply) {
    return mock_control_request(mock->base_url, mock->api_key, method, path, body, reply);
}

/* How many times `part` occurs in `text`. */
static int occurrences(const char *text, const char *part) {
    int n = 0;
    for (; text != NULL && (text = strstr(text, part)) != NULL; text++) n++;
    return n;
}

/* The code under test: sends an order confirmation; returns the call's status. */
static connectly_status confirm_order(const connectly_client *client, const char *to) {
    return connectly_send_text(client, "whatsapp", to, "Order 1042 is confirmed", NULL);
}

static void test_sends_what_it_should(const struct mock *mock, const connectly_client *client) {
    // --8<-- [start:assert]
    char *requests = NULL, *messages = NULL, path[256];
    CHECK(mock_control(mock, "POST", "/_mock/reset", "", NULL) == 200); /* a clean slate */
    CHECK(confirm_order(client, "+15555555555") == CONNECTLY_OK);
    /* Every API request, oldest first: its method, path, headers, raw body, and "json", the
     * body parsed. */
    CHECK(mock_control(mock, "GET", "/_mock/requests", "", &requests) == 200);
    snprintf(path, sizeof path, "\"path\":\"/v1/businesses/%s/send/messages\"",
             mock->business_id);
    CHECK(occurrences(requests, "\"received_unix_ms\"") == 1); /* one request */
    CHECK(occurrences(requests, path) == 1);
    CHECK(occurrences(requests, "\"text\":\"Order 1042 is confirmed\"") == 1);
    /* The messages it accepted: id, recipient, channel type, callback data, ... */
    CHECK(mock_control(mock, "GET", "/_mock/messages", "", &messages) == 200);
    CHECK(occurrences(messages, "\"recipient\":\"+15555555555\"") == 1);
    CHECK(occurrences(messages, "\"channel_type\":\"whatsapp\"") == 1);
    free(requests);
    free(messages);
    // --8<-- [end:assert]
}

static void test_failures(const struct mock *mock, const connectly_client *client) {
    // --8<-- [start:failures]
    char *requests = NULL;
    CHECK(mock_control(mock, "POST", "/_mock/reset", "", NULL) == 200);
    /* Each API request (a retry too) takes the next scripted failure: a status (with a body
     * in Connectly's error format; "retry_after" becomes Retry-After), "delay_ms", "drop",
     * "reset_mid_body", ... 429 is retried: the send goes through on a second attempt. */
    CHECK(mock_control(mock, "POST", "/_mock/fail", "{\"status\":429,\"retry_after\":\"0\"}",
                       NULL) == 200);
    CHECK(confirm_order(client, "+15555555555") == CONNECTLY_OK);
    /* A 5xx is never retried (the message may have arrived): one attempt, typed. */
    CHECK(mock_control(mock, "POST", "/_mock/fail", "{\"status\":503}", NULL) == 200);
    CHECK(confirm_order(client, "+15555555555") == CONNECTLY_ERROR_SERVER);
    CHECK(connectly_last_error_http_status() == 503);
    CHECK(connectly_last_error_attempts() == 1);
    CHECK(mock_control(mock, "GET", "/_mock/requests", "", &requests) == 200);
    CHECK(occurrences(requests, "\"received_unix_ms\"") == 3); /* 429, its retry, 503 */
    free(requests);
    // --8<-- [end:failures]
}

int main(void) {
    struct mock mock;
    connectly_client *client;
    const char *tmp = getenv("TMPDIR");

    memset(&mock, 0, sizeof mock);
    snprintf(mock.dir, sizeof mock.dir, "%s/connectly-test-XXXXXX", tmp ? tmp : "/tmp");
    if (mkdtemp(mock.dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(mock.env_file, sizeof mock.env_file, "%s/mock.env", mock.dir);
    if (start_mock(&mock) != 0) {
        fprintf(stderr, "the mock did not start: is connectly on PATH, or CONNECTLY_BIN set?\n");
        rmdir(mock.dir);
        return 1;
    }
    printf("mock Connectly at %s (pid %ld)\n", mock.base_url, (long)mock.pid);
    client = mock_client(&mock, 2);
    CHECK(client != NULL);
    if (client != NULL) {
        test_sends_what_it_should(&mock, client);
        test_failures(&mock, client);
    }
    connectly_client_free(client);
    stop_mock(&mock);
    remove(mock.env_file);
    rmdir(mock.dir);
    printf("testing: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
