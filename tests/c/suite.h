/* Shared declarations of the C suite's files. */
#ifndef CONNECTLY_TEST_SUITE_H
#define CONNECTLY_TEST_SUITE_H

#include <stddef.h>

#include "harness.h"
#include "json.h"

/* The mock Connectly the suite runs against (started by run.sh through the CLI). */
struct mock_env {
    const char *base_url;
    const char *api_key;
    const char *business_id;
    const char *webhook_secret;
};
extern struct mock_env mock;

/* Decodes lowercase hex into a new buffer (free it); *len gets the byte count. */
unsigned char *unhex(const char *hex, size_t *len);

/* One HTTP request to the mock's control endpoints; returns the HTTP status (-1 on failure)
 * and, when body_out is not NULL, a new NUL-terminated copy of the reply body (free it). */
int mock_control(const char *method, const char *path, const char *body, char **body_out);

/* How many API requests the mock has recorded since its last reset (-1 on failure). */
int mock_request_count(void);

/* The requests the mock has recorded since its last reset, parsed (a JSON array of
 * {method, path, headers, body, body_base64, json}); NULL on failure. Free with json_free. */
struct json *mock_requests(void);

/* Clears the mock's recorded requests and failure queue. */
void mock_reset(void);

/* Whether a recorded request's body, parsed, equals the JSON text `want`. */
int request_body_is(const struct json *request, const char *want);

/* A new client for the mock, with max_retries and timeout_ms; NULL on failure. */
connectly_client *mock_client(int32_t max_retries, uint64_t timeout_ms);

void test_abi(void);
void test_version(void);
void test_null_arguments(void);
void test_bad_inputs(void);
void test_signature_vectors(void);
void test_webhook_error_vectors(void);
void test_receiving_vectors(void);
void test_receive_null_arguments(void);
void test_webhook_handle(void);
void test_client_config(void);
void test_sends(void);
void test_api_error_vectors(void);
void test_retry_vectors(void);
void test_failures(void);
void test_canary(void);
void test_threads_errors(void);
void test_threads_send(void);
void test_send_many(void);
void test_send_many_null(void);
void test_send_many_interrupt(void);
void test_message_kinds(void);
void test_message_setters(void);
void test_template_message(void);
void test_send_many_operations(void);
void test_operations_null(void);
void test_webhook_management(void);
void test_templates_list(void);
void test_campaigns(void);
void test_manage_null(void);
void test_request_vectors(void);
void test_event_vectors(void);
void test_typed_events(void);
void test_status_tracker(void);
void test_status_tracker_threads(void);
void test_queue_operations(void);
void test_queue_errors(void);
void test_queue_thousand_cancelled(void);
void test_queue_faults(void);
void test_queue_thousand_in_one_latency(void);
void test_queue_cancel_waiting(void);
void test_log_callback(void);
void test_rate_limiters(void);
void test_deduplicators(void);
void test_status_tracker_redis(void);
void test_bulk_journal(void);
void test_queue_free_in_flight(void);
void test_queue_null(void);

#endif
