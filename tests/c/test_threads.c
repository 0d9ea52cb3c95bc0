/* Threads: each keeps its own last error; one client serves sixteen senders. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "suite.h"

#define THREADS 16
#define ROUNDS 50
#define SENDS_PER_THREAD 5

static pthread_barrier_t barrier;
static connectly_client *shared_client;
static connectly_webhook *shared_webhook;
static char good_signature[CONNECTLY_SIGNATURE_BUFFER_SIZE];
static const char BODY[] = "{\"timestamp\":\"1639083206\"}";
static const char NOT_UTF8[] = {'x', (char)0xfe, 0};

/* Provokes error number `which` (0..15): each a different status or message. */
static connectly_status provoke(int which, const char **expected_part) {
    connectly_client *c = NULL;
    connectly_event *e = NULL;
    const uint8_t *body = (const uint8_t *)BODY;
    size_t len = sizeof BODY - 1;
    const uint8_t *secrets[1];
    size_t lens[1] = {0};
    connectly_webhook *w = NULL;
    char small[8];
    secrets[0] = (const uint8_t *)"";
    switch (which) {
    case 0: *expected_part = "`api_key` must not be NULL";
        return connectly_client_new(NULL, "b", NULL, &c);
    case 1: *expected_part = "`business_id` must not be NULL";
        return connectly_client_new("k", NULL, NULL, &c);
    case 2: *expected_part = "`channel` must not be NULL";
        return connectly_send_text(shared_client, NULL, "+15555555555", "x", NULL);
    case 3: *expected_part = "`to` is not valid UTF-8";
        return connectly_send_text(shared_client, "whatsapp", NOT_UTF8, "x", NULL);
    case 4: *expected_part = "invalid text";
        return connectly_send_text(shared_client, "whatsapp", "+15555555555", "", NULL);
    case 5: *expected_part = "invalid template name";
        return connectly_send_template(shared_client, "+15555555555", "", NULL, 0, NULL);
    case 6: *expected_part = "max retries";
        return connectly_client_new_with_options("k", "b", NULL, 0, 50, &c);
    case 7: *expected_part = "missing or empty";
        return connectly_webhook_verify_signature(shared_webhook, body, len, NULL);
    case 8: *expected_part = "malformed";
        return connectly_webhook_verify_signature(shared_webhook, body, len, "nope");
    case 9: *expected_part = "does not match";
        return connectly_webhook_verify_signature(shared_webhook, body, len - 1, good_signature);
    case 10: *expected_part = "invalid webhook secret";
        return connectly_webhook_new(secrets, lens, 1, &w);
    case 11: *expected_part = "not a valid event";
        return connectly_webhook_verify_event(shared_webhook, body, len, good_signature, &e);
    case 12: *expected_part = "`out` holds 8 bytes";
        return connectly_webhook_sign(shared_webhook, body, len, small, sizeof small);
    case 13: *expected_part = "`body` must not be NULL";
        return connectly_webhook_verify_signature(shared_webhook, NULL, 9, good_signature);
    case 14: *expected_part = "invalid topic";
        return connectly_create_webhook(shared_client, "https://example.com/h", "", NULL);
    default: *expected_part = "the timeout must be greater than zero";
        return connectly_client_with_timeout(shared_client, 0, &c);
    }
}

static void *error_thread(void *arg) {
    int which = (int)(size_t)arg, round;
    const char *part = "";
    connectly_status first = CONNECTLY_OK, status;
    pthread_barrier_wait(&barrier);
    for (round = 0; round < ROUNDS; round++) {
        status = provoke(which, &part);
        if (round == 0) first = status;
        CHECK(status != CONNECTLY_OK && status == first);
        CHECK_CONTAINS(connectly_last_error_message(), part);
        /* A success on this thread clears only this thread's record. */
        CHECK_STATUS(connectly_webhook_verify_signature(shared_webhook, (const uint8_t *)BODY,
                                                   sizeof BODY - 1, good_signature),
                     CONNECTLY_OK);
        CHECK_STR(connectly_last_error_message(), "");
    }
    return NULL;
}

static void *send_thread(void *arg) {
    int i;
    (void)arg;
    pthread_barrier_wait(&barrier);
    for (i = 0; i < SENDS_PER_THREAD; i++) {
        connectly_response *response = NULL;
        CHECK_STATUS(connectly_send_text(shared_client, "whatsapp", "+15555555555",
                                         "from a thread", &response),
                     CONNECTLY_OK);
        CHECK(connectly_response_status(response) == 200);
        connectly_response_free(response);
    }
    return NULL;
}

static void run_threads(void *(*body)(void *)) {
    pthread_t threads[THREADS];
    size_t i;
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&threads[i], NULL, body, (void *)i) == 0);
    }
    for (i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&barrier);
}

static void setup(void) {
    const uint8_t *secrets[1];
    size_t lens[1];
    secrets[0] = (const uint8_t *)"thread-secret";
    lens[0] = 13;
    shared_client = mock_client(0, 10000);
    CHECK_STATUS(connectly_webhook_new(secrets, lens, 1, &shared_webhook), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_sign(shared_webhook, (const uint8_t *)BODY, sizeof BODY - 1,
                                        good_signature, sizeof good_signature),
                 CONNECTLY_OK);
}

static void teardown(void) {
    connectly_client_free(shared_client);
    connectly_webhook_free(shared_webhook);
    shared_client = NULL;
    shared_webhook = NULL;
}

void test_threads_errors(void) {
    setup();
    run_threads(error_thread);
    teardown();
}

void test_threads_send(void) {
    setup();
    CHECK(mock_control("POST", "/_mock/reset", "", NULL) == 200);
    run_threads(send_thread);
    CHECK(mock_request_count() == THREADS * SENDS_PER_THREAD);
    teardown();
}
