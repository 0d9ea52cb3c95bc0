/* The client against the mock Connectly: configuration, sends, and every scripted failure. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "suite.h"

#include "vectors.h"

static void reset_mock(void) {
    CHECK(mock_control("POST", "/_mock/reset", "", NULL) == 200);
}

static void fail_next(const char *json) {
    CHECK(mock_control("POST", "/_mock/fail", json, NULL) == 200);
}

void test_client_config(void) {
    connectly_client *sentinel = (connectly_client *)&sentinel;
    connectly_client *client = sentinel, *derived = sentinel;
    const char *saved_key = mock.api_key;

    CHECK_STATUS(connectly_client_new("key", "biz", "http://example.com", &client),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_client_new("key", "biz", "ftp://127.0.0.1", &client),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_client_new("", "biz", NULL, &client), CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_client_new("key", "", NULL, &client), CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_client_new_with_options("key", "biz", NULL, 0, 11, &client),
                 CONNECTLY_ERROR_CONFIG);
    CHECK_CONTAINS(connectly_last_error_message(), "retries");
    CHECK(client == sentinel);
    /* The key never shows in an error. */
    CHECK_STATUS(connectly_client_new("secret-key-value\n", "biz", NULL, &client),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK(strstr(connectly_last_error_message(), "secret-key-value") == NULL);

    /* From the environment: complete, then missing a variable. */
    CHECK_STATUS(connectly_client_new_from_env(&client), CONNECTLY_OK);
    connectly_client_free(client);
    client = sentinel;
    unsetenv("CONNECTLY_API_KEY");
    CHECK_STATUS(connectly_client_new_from_env(&client), CONNECTLY_ERROR_CONFIG);
    CHECK_CONTAINS(connectly_last_error_message(), "CONNECTLY_API_KEY");
    CHECK(client == sentinel);
    /* An option given fills what the environment lacks; the rest still comes from it. */
    {
        connectly_client_options options = connectly_client_options_default();
        CHECK(options.api_key == NULL && options.max_retries < 0 && options.timeout_ms == 0);
        CHECK_STATUS(connectly_client_new_with(&options, &client), CONNECTLY_ERROR_CONFIG);
        CHECK(client == sentinel);
        options.api_key = saved_key;
        options.max_retries = 11;
        CHECK_STATUS(connectly_client_new_with(&options, &client), CONNECTLY_ERROR_CONFIG);
        options.max_retries = 0;
        CHECK_STATUS(connectly_client_new_with(&options, NULL), CONNECTLY_ERROR_NULL_ARGUMENT);
        CHECK_STATUS(connectly_client_new_with(&options, &client), CONNECTLY_OK);
        connectly_client_free(client);
        client = sentinel;
    }
    setenv("CONNECTLY_API_KEY", saved_key, 1);
    CHECK_STATUS(connectly_client_new_with(NULL, &client), CONNECTLY_OK);
    connectly_client_free(client);
    client = sentinel;
    mock.api_key = getenv("CONNECTLY_API_KEY");

    /* Defaults, and a derived client with a per-call timeout. */
    CHECK_STATUS(connectly_client_new("key", "biz", NULL, &client), CONNECTLY_OK);
    CHECK_STATUS(connectly_client_with_timeout(client, 0, &derived), CONNECTLY_ERROR_CONFIG);
    CHECK(derived == sentinel);
    CHECK_STATUS(connectly_client_with_timeout(client, 250, &derived), CONNECTLY_OK);
    CHECK(derived != sentinel && derived != NULL);
    connectly_client_free(derived);
    connectly_client_free(client);
}

void test_sends(void) {
    connectly_client *client = mock_client(-1, 0);
    connectly_response *response = NULL;
    connectly_template_param params[2];
    char *log = NULL;

    reset_mock();
    CHECK_STATUS(connectly_send_text(client, "whatsapp", "+15555555555", "hello from C",
                                     &response),
                 CONNECTLY_OK);
    CHECK(connectly_response_status(response) == 200);
    CHECK(connectly_response_attempts(response) == 1);
    CHECK_CONTAINS(connectly_response_body(response), "\"id\"");
    CHECK(connectly_response_trace_id(response) != NULL);
    if (connectly_response_trace_id(response) != NULL) {
        CHECK_CONTAINS(connectly_response_body(response), connectly_response_trace_id(response));
    }
    CHECK_STR(connectly_last_error_message(), "");
    connectly_response_free(response);
    response = NULL;

    params[0].name = "var1";
    params[0].value = "value1";
    params[1].name = "var2";
    params[1].value = "value2";
    CHECK_STATUS(connectly_send_template(client, "+15555555555", "welcome", params, 2, &response),
                 CONNECTLY_OK);
    CHECK(connectly_response_status(response) == 200);
    /* Its id is the message id the mock accepted (the one its delivery statuses name). */
    CHECK(mock_control("GET", "/_mock/messages", NULL, &log) == 200);
    {
        struct json *accepted = log ? json_parse(log, strlen(log)) : NULL;
        const char *want = accepted != NULL && accepted->type == JSON_ARRAY && accepted->count == 2
                               ? json_get_string(&accepted->items[1], "id")
                               : NULL;
        CHECK(want != NULL && *want != 0);
        if (want != NULL) CHECK_STR(connectly_response_id(response), want);
        json_free(accepted);
    }
    free(log);
    log = NULL;
    connectly_response_free(response);
    response = NULL;
    /* No parameters: (NULL, 0). The response is not wanted: out is NULL. */
    CHECK_STATUS(connectly_send_template(client, "+15555555555", "hello", NULL, 0, NULL),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_send_text(client, "sms", "+15555555555", "via sms", NULL),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_create_webhook(client, "https://example.com/webhook", "messages",
                                          &response),
                 CONNECTLY_OK);
    CHECK_CONTAINS(connectly_response_body(response), "https://example.com/webhook");
    /* A created webhook's id, as the body has it. */
    CHECK(connectly_response_id(response) != NULL);
    if (connectly_response_id(response) != NULL) {
        CHECK_CONTAINS(connectly_response_body(response), connectly_response_id(response));
    }
    connectly_response_free(response);
    response = NULL;
    CHECK(mock_request_count() == 5);

    /* The wire: exact shapes, parameters in order. */
    CHECK(mock_control("GET", "/_mock/requests", NULL, &log) == 200);
    CHECK_CONTAINS(log, "/v1/businesses/");
    CHECK_CONTAINS(log, "\"text\":\"hello from C\"");
    CHECK_CONTAINS(log, "[{\"name\":\"var1\",\"value\":\"value1\"},{\"name\":\"var2\","
                        "\"value\":\"value2\"}]");
    CHECK_CONTAINS(log, "\"channelType\":\"sms\"");
    free(log);

    /* A reply whose "id" is not a string has no id. */
    fail_next("[{\"status\":200,\"body\":\"{\\\"id\\\":7}\"}]");
    CHECK_STATUS(connectly_send_text(client, "whatsapp", "+15555555555", "no id", &response),
                 CONNECTLY_OK);
    CHECK_STR(connectly_response_body(response), "{\"id\":7}");
    CHECK(connectly_response_id(response) == NULL);
    connectly_response_free(response);
    response = NULL;

    /* Validation sends nothing. */
    reset_mock();
    CHECK_STATUS(connectly_send_text(client, "whatsapp", "+15555555555", "   ", &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK(response == NULL);
    CHECK(mock_request_count() == 0);

    /* A wrong key: authentication, with the provider's details. */
    {
        connectly_client *bad = NULL;
        CHECK_STATUS(connectly_client_new("wrong-key", mock.business_id, mock.base_url, &bad),
                     CONNECTLY_OK);
        CHECK_STATUS(connectly_send_text(bad, "whatsapp", "+15555555555", "hi", &response),
                     CONNECTLY_ERROR_AUTHENTICATION);
        CHECK(connectly_last_error_http_status() == 401);
        CHECK_STR(connectly_last_error_code(), "ERROR_CODE_API_KEY_INVALID");
        CHECK(connectly_last_error_trace_id() != NULL);
        CHECK(connectly_last_error_attempts() == 1);
        CHECK(strstr(connectly_last_error_message(), "wrong-key") == NULL);
        connectly_client_free(bad);
    }
    connectly_client_free(client);
}

void test_api_error_vectors(void) {
    connectly_client *client = mock_client(0, 0);
    size_t i, rows = 0;
    static const connectly_template_param params[1] = {{"var1", "value1"}};

    for (i = 0; i < API_VECTOR_ROWS; i++) {
        const struct api_vector *v = &API_VECTORS[i];
        size_t n;
        char *reply = (char *)unhex(v->reply_hex, &n);
        char *code = (char *)unhex(v->code_hex, &n);
        char *message = (char *)unhex(v->message_hex, &n);
        char *trace = (char *)unhex(v->trace_id_hex, &n);
        connectly_response *response = NULL;
        connectly_status got;
        long failures_before = harness_failures;

        reset_mock();
        fail_next(reply);
        if (strcmp(v->call, "send_template") == 0) {
            got = connectly_send_template(client, "+15555555555", "welcome", params, 1,
                                          &response);
        } else if (strcmp(v->call, "create_webhook") == 0) {
            got = connectly_create_webhook(client, "https://example.com/webhook", "messages",
                                           &response);
        } else {
            got = connectly_send_text(client, "whatsapp", "+15555555555", "hello!", &response);
        }
        CHECK_STATUS(got, v->kind);
        CHECK(response == NULL);
        CHECK(connectly_last_error_http_status() == v->http_status);
        if (v->has_code) {
            CHECK_STR(connectly_last_error_code(), code);
        } else {
            CHECK(connectly_last_error_code() == NULL);
        }
        if (v->has_message) {
            CHECK_STR(connectly_last_error_api_message(), message);
        } else {
            CHECK(connectly_last_error_api_message() == NULL);
        }
        if (v->has_trace_id) {
            CHECK_STR(connectly_last_error_trace_id(), trace);
        } else {
            CHECK(connectly_last_error_trace_id() == NULL);
        }
        if (v->retry_after < 0) {
            CHECK(connectly_last_error_retry_after_ms() == -1);
        } else {
            CHECK(connectly_last_error_retry_after_ms() == v->retry_after * 1000);
        }
        CHECK(connectly_last_error_attempts() == 1);
        CHECK(connectly_last_error_field() == NULL);
        CHECK(mock_request_count() == 1);
        if (harness_failures != failures_before) fprintf(stderr, "  (in row %s)\n", v->name);
        connectly_response_free(response);
        free(reply);
        free(code);
        free(message);
        free(trace);
        rows++;
    }
    printf("api_errors.json: %lu rows\n", (unsigned long)rows);
    CHECK(rows == API_VECTOR_ROWS);
    conformance_report("api_errors.json", rows);
    connectly_client_free(client);
}

void test_failures(void) {
    connectly_client *client = mock_client(0, 300);
    connectly_client *retrying = mock_client(2, 2000);
    connectly_client *derived = NULL;
    connectly_client *closed = NULL;
    connectly_response *response = NULL;

    /* 429 then success: retried, two attempts. */
    reset_mock();
    fail_next("[{\"status\":429,\"retry_after\":\"0\"}]");
    CHECK_STATUS(connectly_send_text(retrying, "whatsapp", "+15555555555", "hi", &response),
                 CONNECTLY_OK);
    CHECK(connectly_response_attempts(response) == 2);
    connectly_response_free(response);
    response = NULL;

    /* A dropped connection after the request was sent: never resent. */
    reset_mock();
    fail_next("[{\"drop\":true}]");
    CHECK_STATUS(connectly_send_text(retrying, "whatsapp", "+15555555555", "hi", &response),
                 CONNECTLY_ERROR_TRANSPORT);
    CHECK(connectly_last_error_attempts() == 1);
    CHECK(connectly_error_possibly_sent(connectly_last_error()));
    CHECK(mock_request_count() == 1);

    /* No answer within the timeout: the request was written, so it may have arrived. */
    reset_mock();
    fail_next("[{\"delay_ms\":1500}]");
    CHECK_STATUS(connectly_send_text(client, "whatsapp", "+15555555555", "hi", &response),
                 CONNECTLY_ERROR_TIMEOUT);
    CHECK(connectly_error_possibly_sent(connectly_last_error()));

    /* A derived client's per-call timeout bounds the call. */
    CHECK_STATUS(connectly_client_with_timeout(retrying, 800, &derived), CONNECTLY_OK);
    reset_mock();
    fail_next("[{\"delay_ms\":2500}]");
    CHECK_STATUS(connectly_send_text(derived, "whatsapp", "+15555555555", "hi", &response),
                 CONNECTLY_ERROR_TIMEOUT);
    CHECK_STATUS(connectly_send_text(derived, "whatsapp", "+15555555555", "hi", &response),
                 CONNECTLY_OK);
    connectly_response_free(response);
    response = NULL;
    connectly_client_free(derived);

    /* Nothing listens: transport error, retried (it cannot have arrived). */
    CHECK_STATUS(connectly_client_new_with_options(mock.api_key, mock.business_id,
                                                   "http://127.0.0.1:1", 1000, 1, &closed),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_send_text(closed, "whatsapp", "+15555555555", "hi", &response),
                 CONNECTLY_ERROR_TRANSPORT);
    CHECK(connectly_last_error_attempts() == 2);
    CHECK(!connectly_error_possibly_sent(connectly_last_error()));
    CHECK(connectly_last_error_http_status() == 0);
    CHECK(connectly_last_error_code() == NULL);
    CHECK(connectly_last_error_field() == NULL);
    CHECK(response == NULL);
    connectly_client_free(closed);

    connectly_client_free(client);
    connectly_client_free(retrying);
    reset_mock();
}

void test_retry_vectors(void) {
    size_t i, rows = 0;
    for (i = 0; i < RETRY_VECTOR_ROWS; i++) {
        const struct retry_vector *v = &RETRY_VECTORS[i];
        connectly_client *client = mock_client(v->max_retries, (uint64_t)v->timeout_ms);
        connectly_response *response = NULL;
        connectly_template_param params[4];
        char *args[3], *param_text[8], *script;
        size_t n, k;
        connectly_status got;
        unsigned attempts;
        int status;
        long failures_before = harness_failures;

        for (k = 0; k < 3; k++) args[k] = (char *)unhex(v->args_hex[k], &n);
        for (k = 0; k < 8; k++) param_text[k] = (char *)unhex(v->params_hex[k], &n);
        for (k = 0; k < (size_t)v->n_params; k++) {
            params[k].name = param_text[2 * k];
            params[k].value = param_text[2 * k + 1];
        }
        script = (char *)unhex(v->script_hex, &n);
        reset_mock();
        fail_next(script);
        if (strcmp(v->call, "send_template") == 0) {
            got = connectly_send_template(client, args[0], args[1], params, (size_t)v->n_params,
                                          &response);
        } else if (strcmp(v->call, "create_webhook") == 0) {
            got = connectly_create_webhook(client, args[0], args[1], &response);
        } else {
            got = connectly_send_text(client, args[0], args[1], args[2], &response);
        }
        CHECK_STATUS(got, v->outcome);
        if (got == CONNECTLY_OK) {
            attempts = connectly_response_attempts(response);
            status = connectly_response_status(response);
        } else {
            attempts = connectly_last_error_attempts();
            status = connectly_last_error_http_status();
        }
        CHECK(attempts == v->attempts);
        CHECK(status == v->http_status);
        CHECK(mock_request_count() == v->requests);
        if (harness_failures != failures_before) fprintf(stderr, "  (in row %s)\n", v->name);
        connectly_response_free(response);
        connectly_client_free(client);
        for (k = 0; k < 3; k++) free(args[k]);
        for (k = 0; k < 8; k++) free(param_text[k]);
        free(script);
        rows++;
    }
    printf("retries.json: %lu rows\n", (unsigned long)rows);
    CHECK(rows == RETRY_VECTOR_ROWS);
    conformance_report("retries.json", rows);
    reset_mock();
}
