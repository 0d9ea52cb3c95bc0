// connectly-example: run
/*
 * Configuration: a client's settings come from connectly_client_options, each string one
 * left NULL read from its environment variable (CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID,
 * CONNECTLY_BASE_URL), or given explicitly with the timeout per attempt and the retries.
 * Nothing the library prints, logs or puts in an error ever holds the API key.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectly.h"

// --8<-- [start:from_env]
/* Every setting from the environment: CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID (both
 * required), CONNECTLY_BASE_URL (unset: https://api.connectly.ai); 30 s per attempt and 2
 * retries. A missing variable is CONNECTLY_ERROR_CONFIG. */
static connectly_client *client_from_env(void) {
    connectly_client_options options = connectly_client_options_default();
    connectly_client *client = NULL;
    connectly_status status = connectly_client_new_with(&options, &client);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "configuration: %s: %s\n", connectly_status_name(status),
                connectly_last_error_message());
    }
    return client; /* NULL on failure */
}
// --8<-- [end:from_env]

// --8<-- [start:explicit]
/* Settings from the program's own configuration. The strings are copied: the caller keeps
 * them. http:// is accepted only for a loopback host (a local mock). */
static connectly_client *client_from(const char *api_key, const char *business_id,
                                     const char *base_url) {
    connectly_client_options options = connectly_client_options_default();
    connectly_client *client = NULL;
    connectly_status status;
    options.api_key = api_key;
    options.business_id = business_id;
    options.base_url = base_url; /* without /v1/businesses/...: the SDK adds it */
    options.timeout_ms = 10000;  /* per attempt; 0: the default, 30 s (there is no "none") */
    options.max_retries = 1;     /* 0 to 10; negative: the default, 2 */
    status = connectly_client_new_with(&options, &client);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "configuration: %s: %s\n", connectly_status_name(status),
                connectly_last_error_message());
    }
    return client;
}
// --8<-- [end:explicit]

// --8<-- [start:secrets]
/* A client handle is opaque: there is nothing to print but its number, which is what log
 * records name it by. Log records carry no API key, webhook secret or message content, and
 * error messages never quote the key (nor a webhook secret, signature or body), so both may
 * go to ordinary logs. */
static void log_to_stderr(const connectly_log_record *record, void *user_data) {
    (void)user_data; /* called on the library's logging thread */
    fprintf(stderr, "connectly[%d] client %llu: %s %s\n", (int)record->level,
            (unsigned long long)record->client, record->message, record->fields);
}
// --8<-- [end:secrets]

/* For the check: whether any log record held `secret`. */
static struct {
    pthread_mutex_t lock;
    const char *secret;
    long records, leaks, failures;
} scan = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0};

static void scan_records(const connectly_log_record *record, void *user_data) {
    (void)user_data;
    log_to_stderr(record, NULL);
    pthread_mutex_lock(&scan.lock);
    scan.records++;
    if (strstr(record->message, scan.secret) != NULL ||
        strstr(record->fields, scan.secret) != NULL) {
        scan.leaks++;
    }
    if (strcmp(record->message, "failed") == 0) scan.failures++;
    pthread_mutex_unlock(&scan.lock);
}

static int wrong = 0;

static void check(int ok, const char *what) {
    printf("  %s: %s\n", ok ? "ok" : "WRONG", what);
    if (!ok) wrong++;
}

int main(void) {
    const char *api_key = getenv("CONNECTLY_API_KEY");
    const char *business_id = getenv("CONNECTLY_BUSINESS_ID");
    const char *base_url = getenv("CONNECTLY_BASE_URL");
    const char *wrong_key = "sk-do-not-print-this-4242";
    connectly_client *client, *refused = NULL;
    connectly_response *response = NULL;
    connectly_client_options options = connectly_client_options_default();
    connectly_status status;
    long records;

    if (api_key == NULL || business_id == NULL) {
        fprintf(stderr, "set CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID\n");
        return 1;
    }
    printf("from the environment:\n");
    client = client_from_env();
    check(client != NULL, "a client");
    check(connectly_send_text(client, "whatsapp", "+15555555555", "hi", NULL) == CONNECTLY_OK,
          "it sends");
    connectly_client_free(client);
    check(options.api_key == NULL && options.timeout_ms == 0 && options.max_retries == -1 &&
              options.rate_limiter == NULL,
          "the default options: strings from the environment, the default timeout and retries");

    printf("explicit settings:\n");
    client = client_from(api_key, business_id, base_url);
    check(client != NULL, "a client");
    status = connectly_send_text(client, "whatsapp", "+15555555555", "hi", &response);
    check(status == CONNECTLY_OK && connectly_response_attempts(response) == 1, "it sends");
    connectly_response_free(response);
    connectly_client_free(client);

    printf("settings refused before anything is sent:\n");
    options.max_retries = CONNECTLY_MAX_RETRIES_LIMIT + 1;
    check(connectly_client_new_with(&options, &refused) == CONNECTLY_ERROR_CONFIG,
          "11 retries: CONNECTLY_ERROR_CONFIG");
    options.max_retries = -1;
    options.base_url = "http://api.example.com";
    status = connectly_client_new_with(&options, &refused);
    check(status == CONNECTLY_ERROR_CONFIG || status == CONNECTLY_ERROR_VALIDATION,
          "plain http to a host that is not loopback");
    printf("    (%s: %s)\n", connectly_status_name(status), connectly_last_error_message());
    check(refused == NULL, "no client was written");

    printf("what is never printed:\n");
    scan.secret = wrong_key;
    if (connectly_log_set_callback(scan_records, NULL) != CONNECTLY_OK) wrong++;
    client = client_from(wrong_key, business_id, base_url);
    status = connectly_send_text(client, "whatsapp", "+15555555555", "hi", NULL);
    printf("    (%s: %s)\n", connectly_status_name(status), connectly_last_error_message());
    check(status == CONNECTLY_ERROR_AUTHENTICATION, "a wrong key: CONNECTLY_ERROR_AUTHENTICATION");
    check(strstr(connectly_last_error_message(), wrong_key) == NULL,
          "the error message does not quote the key");
    connectly_client_free(client);
    /* Records reach the callback from the library's thread: wait for the failure's. */
    for (records = 0; records < 500; records++) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        long failures;
        pthread_mutex_lock(&scan.lock);
        failures = scan.failures;
        pthread_mutex_unlock(&scan.lock);
        if (failures > 0) break;
        nanosleep(&pause, NULL);
    }
    /* Once it returns, the callback is not running and will not be called again. */
    if (connectly_log_set_callback(NULL, NULL) != CONNECTLY_OK) wrong++;
    records = scan.records;
    check(scan.failures > 0, "the failure was logged");
    check(records > 0 && scan.leaks == 0, "no log record holds the key");
    printf("    (%ld log records)\n", records);
    printf("%s\n", wrong == 0 ? "ok" : "FAILED");
    return wrong == 0 ? 0 : 1;
}
