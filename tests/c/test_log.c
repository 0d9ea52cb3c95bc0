/* The logging bridge: records reach the registered callback on the library's own thread,
 * name their client, never carry the API key, and stop once the callback is removed. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <time.h>

#include "suite.h"

/* What the callback saw; written on the library's logging thread. */
struct seen {
    pthread_mutex_t lock;
    pthread_t caller;
    uint64_t client;
    long records;
    int answered;
    int warn_levels_ok;
    int secret_seen;
    int other_thread;
    connectly_status reentry;
};

static void record_log(const connectly_log_record *record, void *user_data) {
    struct seen *seen = user_data;
    pthread_mutex_lock(&seen->lock);
    seen->records++;
    if (!pthread_equal(pthread_self(), seen->caller)) seen->other_thread = 1;
    if (strstr(record->message, mock.api_key) != NULL ||
        strstr(record->fields, mock.api_key) != NULL) {
        seen->secret_seen = 1;
    }
    if (record->client == seen->client && strcmp(record->message, "answered") == 0 &&
        strstr(record->fields, "status=200") != NULL &&
        record->level == CONNECTLY_LOG_INFO) {
        seen->answered++;
    }
    if (strcmp(record->message, "retrying") == 0 && record->level != CONNECTLY_LOG_WARN) {
        seen->warn_levels_ok = 0;
    }
    /* Replacing the callback from inside it is refused (it would wait for itself). */
    if (seen->records == 1) seen->reentry = connectly_log_set_callback(NULL, NULL);
    pthread_mutex_unlock(&seen->lock);
}

static long records_seen(struct seen *seen) {
    long n;
    pthread_mutex_lock(&seen->lock);
    n = seen->records;
    pthread_mutex_unlock(&seen->lock);
    return n;
}

static int answered(struct seen *seen) {
    int n;
    pthread_mutex_lock(&seen->lock);
    n = seen->answered;
    pthread_mutex_unlock(&seen->lock);
    return n;
}

void test_log_callback(void) {
    struct seen seen;
    connectly_client *client = mock_client(1, 10000);
    connectly_response *response = NULL;
    struct timespec settle = {0, 500 * 1000 * 1000};
    time_t end = time(NULL) + 60;
    uint64_t dropped = connectly_log_dropped();
    long after_removal;

    memset(&seen, 0, sizeof seen);
    pthread_mutex_init(&seen.lock, NULL);
    seen.caller = pthread_self();
    seen.warn_levels_ok = 1;
    seen.reentry = CONNECTLY_OK;
    seen.client = connectly_client_id(client);
    CHECK(seen.client != 0);
    CHECK(connectly_client_id(NULL) == 0);
    mock_reset();
    CHECK_STATUS(connectly_log_set_callback(record_log, &seen), CONNECTLY_OK);
    CHECK(mock_control("POST", "/_mock/fail", "[{\"status\":429,\"retry_after\":\"0\"}]", NULL) == 200);
    CHECK_STATUS(connectly_send_text(client, "whatsapp", "+15555555555", "logged", &response),
                 CONNECTLY_OK);
    connectly_response_free(response);
    while (answered(&seen) == 0 && time(NULL) < end) nanosleep(&settle, NULL);
    CHECK(answered(&seen) == 1);

    /* Removed: once the call returns, the callback is never called again. */
    CHECK_STATUS(connectly_log_set_callback(NULL, NULL), CONNECTLY_OK);
    after_removal = records_seen(&seen);
    CHECK_STATUS(connectly_send_text(client, "whatsapp", "+15555555555", "unlogged", &response),
                 CONNECTLY_OK);
    connectly_response_free(response);
    nanosleep(&settle, NULL);
    CHECK(records_seen(&seen) == after_removal);

    CHECK(after_removal >= 4); /* sending, retrying, sending, answered */
    CHECK(seen.other_thread);
    CHECK(!seen.secret_seen);
    CHECK(seen.warn_levels_ok);
    CHECK_STATUS(seen.reentry, CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK(connectly_log_dropped() == dropped);
    pthread_mutex_destroy(&seen.lock);
    mock_reset();
    connectly_client_free(client);
}
