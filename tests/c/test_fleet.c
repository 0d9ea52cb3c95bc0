/* What a fleet shares: send budgets (local and in Redis) given to clients through their
 * options, deliveries claimed once (memory and Redis), statuses kept in Redis, and a bulk
 * send resumed from its journal. Redis is the fresh redis-server scripts/with-redis.sh
 * started (CONNECTLY_TEST_REDIS_URL). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "suite.h"

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *redis_url(void) {
    const char *url = getenv("CONNECTLY_TEST_REDIS_URL");
    CHECK(url != NULL);
    return url != NULL ? url : "redis://127.0.0.1:1/0";
}

/* A client for the mock whose sends wait on `limiter`. */
static connectly_client *limited_client(const connectly_rate_limiter *limiter) {
    connectly_client_options options = connectly_client_options_default();
    connectly_client *client = NULL;
    options.api_key = mock.api_key;
    options.business_id = mock.business_id;
    options.base_url = mock.base_url;
    options.rate_limiter = limiter;
    CHECK_STATUS(connectly_client_new_with(&options, &client), CONNECTLY_OK);
    return client;
}

static void send_texts(connectly_client *client, int n) {
    int i;
    for (i = 0; i < n; i++) {
        connectly_response *response = NULL;
        CHECK_STATUS(connectly_send_text(client, "whatsapp", "+15555555555", "budget", &response),
                     CONNECTLY_OK);
        connectly_response_free(response);
    }
}

void test_rate_limiters(void) {
    connectly_rate_limiter *local = NULL, *shared = NULL, *other = NULL, *bad = NULL;
    connectly_client *a, *b;
    connectly_client_options options = connectly_client_options_default();
    double start;

    mock_reset();
    CHECK_STATUS(connectly_rate_limiter_new_local(50.0, 1, &local), CONNECTLY_OK);
    a = limited_client(local);
    /* The client keeps the budget: it may be freed at once. */
    connectly_rate_limiter_free(local);
    start = now_seconds();
    send_texts(a, 6);
    /* One at once, then five 20 ms apart. */
    CHECK(now_seconds() - start >= 0.095);
    connectly_client_free(a);

    /* Two limiters on one Redis, as two processes would have: one budget. */
    CHECK_STATUS(connectly_rate_limiter_new_redis(redis_url(), 100.0, 1, 0.0, &shared),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_rate_limiter_new_redis(redis_url(), 100.0, 1, 0.5, &other),
                 CONNECTLY_OK);
    a = limited_client(shared);
    b = limited_client(other);
    start = now_seconds();
    send_texts(a, 5);
    send_texts(b, 5);
    CHECK(now_seconds() - start >= 0.085);
    CHECK(mock_request_count() == 16);
    connectly_client_free(a);
    connectly_client_free(b);
    connectly_rate_limiter_free(shared);
    connectly_rate_limiter_free(other);

    CHECK_STATUS(connectly_rate_limiter_new_local(0.0, 0, &bad), CONNECTLY_ERROR_VALIDATION);
    CHECK(bad == NULL);
    CHECK_STATUS(connectly_rate_limiter_new_local(10.0, 0, NULL), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_rate_limiter_new_redis("not a url", 10.0, 0, 0.0, &bad),
                 CONNECTLY_ERROR_CONFIG);
    CHECK_STATUS(connectly_rate_limiter_new_redis(NULL, 10.0, 0, 0.0, &bad),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_rate_limiter_new_redis(redis_url(), 10.0, 0, 2.0, &bad),
                 CONNECTLY_ERROR_VALIDATION);
    connectly_rate_limiter_free(NULL);

    /* No budget at all, even for the Connectly API. */
    options.api_key = "key";
    options.business_id = "business";
    options.no_rate_limiter = true;
    CHECK_STATUS(connectly_client_new_with(&options, &a), CONNECTLY_OK);
    connectly_client_free(a);
    mock_reset();
}

/* The two-state claim of one delivery in `store`. */
static void claim_once(const connectly_deduplicator *store, const connectly_event *event) {
    connectly_claim *claim = NULL, *again = NULL;
    uint16_t status = 999;

    CHECK_STATUS(connectly_dedup_admit(store, event, &claim, &status), CONNECTLY_OK);
    CHECK(claim != NULL && status == 0);
    CHECK_STATUS(connectly_dedup_admit(store, event, &again, &status), CONNECTLY_OK);
    CHECK(again == NULL && status == 409);
    /* The handler failed: the retry runs it. */
    connectly_claim_release(claim);
    CHECK_STATUS(connectly_dedup_admit(store, event, &claim, &status), CONNECTLY_OK);
    CHECK(claim != NULL && status == 0);
    /* The handler answered 500: released, the retry runs it. */
    CHECK_STATUS(connectly_claim_finish(claim, 500), CONNECTLY_OK);
    CHECK_STATUS(connectly_dedup_admit(store, event, &claim, &status), CONNECTLY_OK);
    CHECK(claim != NULL && status == 0);
    /* It wrote nothing: success, completed. */
    CHECK_STATUS(connectly_claim_finish(claim, 0), CONNECTLY_OK);
    CHECK_STATUS(connectly_dedup_admit(store, event, &again, &status), CONNECTLY_OK);
    CHECK(again == NULL && status == 200);
}

void test_deduplicators(void) {
    static const char body[] =
        "{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"+16315555500\",\"channelType\":"
        "\"whatsapp\"},\"recipient\":{\"id\":\"123456123\",\"channelType\":\"whatsapp\"},"
        "\"message\":{\"text\":\"once\"}}";
    const uint8_t *secret = (const uint8_t *)"fleet-secret";
    size_t secret_len = strlen("fleet-secret");
    connectly_webhook *webhook = NULL;
    connectly_event *event = NULL;
    connectly_deduplicator *memory = connectly_deduplicator_new_memory(0);
    connectly_deduplicator *redis = NULL, *bad = NULL;
    connectly_claim *claim = NULL;
    uint16_t status = 0;
    char signature[CONNECTLY_SIGNATURE_BUFFER_SIZE];

    CHECK_STATUS(connectly_webhook_new(&secret, &secret_len, 1, &webhook), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_sign(webhook, (const uint8_t *)body, strlen(body), signature,
                                        sizeof signature),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_event(webhook, (const uint8_t *)body, strlen(body),
                                                signature, &event),
                 CONNECTLY_OK);
    CHECK(strncmp(connectly_event_delivery_key(event), "body:", 5) == 0);
    CHECK(strlen(connectly_event_delivery_key(event)) == 5 + 64);
    CHECK(connectly_event_delivery_key(NULL) == NULL);

    CHECK(memory != NULL);
    claim_once(memory, event);
    CHECK_STATUS(connectly_deduplicator_new_redis(redis_url(), &redis), CONNECTLY_OK);
    claim_once(redis, event);

    CHECK_STATUS(connectly_deduplicator_new_redis("not a url", &bad), CONNECTLY_ERROR_CONFIG);
    CHECK_STATUS(connectly_dedup_admit(NULL, event, &claim, &status),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_dedup_admit(memory, NULL, &claim, &status),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_dedup_admit(memory, event, NULL, &status),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_claim_complete(NULL), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_claim_finish(NULL, 200), CONNECTLY_ERROR_NULL_ARGUMENT);
    connectly_claim_release(NULL);
    connectly_deduplicator_free(NULL);
    connectly_deduplicator_free(memory);
    connectly_deduplicator_free(redis);
    connectly_event_free(event);
    connectly_webhook_free(webhook);
}

void test_status_tracker_redis(void) {
    connectly_status_tracker *one = NULL, *other = NULL, *bad = NULL;
    bool forward = false;
    char *status;

    CHECK_STATUS(connectly_status_tracker_new_redis(redis_url(), &one), CONNECTLY_OK);
    CHECK_STATUS(connectly_status_tracker_new_redis(redis_url(), &other), CONNECTLY_OK);
    CHECK_STATUS(connectly_status_tracker_advance(one, "c-m1", "read", &forward), CONNECTLY_OK);
    CHECK(forward);
    /* Another worker's late status does not move it back. */
    CHECK_STATUS(connectly_status_tracker_advance(other, "c-m1", "delivered", &forward),
                 CONNECTLY_OK);
    CHECK(!forward);
    status = connectly_status_tracker_status(other, "c-m1");
    CHECK(status != NULL && strcmp(status, "read") == 0);
    connectly_string_free(status);
    CHECK_STATUS(connectly_status_tracker_new_redis("not a url", &bad), CONNECTLY_ERROR_CONFIG);
    CHECK_STATUS(connectly_status_tracker_new_redis(NULL, &bad), CONNECTLY_ERROR_NULL_ARGUMENT);
    connectly_status_tracker_free(one);
    connectly_status_tracker_free(other);
}

void test_bulk_journal(void) {
    connectly_client *client = mock_client(0, 10000);
    connectly_bulk_item items[4];
    connectly_bulk_options options;
    connectly_batch *batch = NULL;
    char journal[256];
    size_t i;

    snprintf(journal, sizeof journal, "/tmp/connectly-c-journal-%ld-%ld", (long)getpid(),
             (long)time(NULL));
    memset(items, 0, sizeof items);
    memset(&options, 0, sizeof options);
    for (i = 0; i < 4; i++) {
        items[i].kind = CONNECTLY_BULK_TEXT;
        items[i].channel = "whatsapp";
        items[i].to = "+15555555555";
        items[i].text = "journaled";
    }
    options.journal = journal;
    mock_reset();
    CHECK_STATUS(connectly_send_many(client, items, 4, &options, &batch), CONNECTLY_OK);
    for (i = 0; i < 4; i++) {
        CHECK_STATUS(connectly_batch_status(batch, i), CONNECTLY_OK);
    }
    connectly_batch_free(batch);
    CHECK(mock_request_count() == 4);
    /* Again with the journal: nothing is sent; each answer is read back (attempts 0). */
    CHECK_STATUS(connectly_send_many(client, items, 4, &options, &batch), CONNECTLY_OK);
    CHECK(mock_request_count() == 4);
    for (i = 0; i < 4; i++) {
        const connectly_response *response = connectly_batch_response(batch, i);
        CHECK(response != NULL && connectly_response_attempts(response) == 0);
    }
    connectly_batch_free(batch);
    /* Other messages: the journal is refused, nothing sent. */
    items[0].text = "different";
    CHECK_STATUS(connectly_send_many(client, items, 4, &options, &batch), CONNECTLY_OK);
    CHECK_STATUS(connectly_batch_status(batch, 0), CONNECTLY_ERROR_VALIDATION);
    connectly_batch_free(batch);
    CHECK(mock_request_count() == 4);
    remove(journal);
    mock_reset();
    connectly_client_free(client);
}
