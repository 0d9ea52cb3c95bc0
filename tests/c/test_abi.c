/* Names, versions, NULL in every pointer position, and unusable inputs. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "suite.h"

static const unsigned char BODY[] = "{\"timestamp\":\"1639083206\"}";
static const char *const SECRET = "abi-secret";

static connectly_webhook *new_webhook(void) {
    const uint8_t *secrets[1];
    size_t lens[1];
    connectly_webhook *webhook = NULL;
    secrets[0] = (const uint8_t *)SECRET;
    lens[0] = strlen(SECRET);
    CHECK_STATUS(connectly_webhook_new(secrets, lens, 1, &webhook), CONNECTLY_OK);
    return webhook;
}

void test_abi(void) {
    static const struct {
        connectly_status status;
        int value;
        const char *name;
    } table[] = {
        {CONNECTLY_OK, 0, "CONNECTLY_OK"},
        {CONNECTLY_ERROR_NULL_ARGUMENT, 1, "CONNECTLY_ERROR_NULL_ARGUMENT"},
        {CONNECTLY_ERROR_INVALID_ARGUMENT, 2, "CONNECTLY_ERROR_INVALID_ARGUMENT"},
        {CONNECTLY_ERROR_VALIDATION, 3, "CONNECTLY_ERROR_VALIDATION"},
        {CONNECTLY_ERROR_CONFIG, 4, "CONNECTLY_ERROR_CONFIG"},
        {CONNECTLY_ERROR_AUTHENTICATION, 5, "CONNECTLY_ERROR_AUTHENTICATION"},
        {CONNECTLY_ERROR_RATE_LIMITED, 6, "CONNECTLY_ERROR_RATE_LIMITED"},
        {CONNECTLY_ERROR_API, 7, "CONNECTLY_ERROR_API"},
        {CONNECTLY_ERROR_SERVER, 8, "CONNECTLY_ERROR_SERVER"},
        {CONNECTLY_ERROR_REDIRECT, 9, "CONNECTLY_ERROR_REDIRECT"},
        {CONNECTLY_ERROR_TIMEOUT, 10, "CONNECTLY_ERROR_TIMEOUT"},
        {CONNECTLY_ERROR_TRANSPORT, 11, "CONNECTLY_ERROR_TRANSPORT"},
        {CONNECTLY_ERROR_TLS, 12, "CONNECTLY_ERROR_TLS"},
        {CONNECTLY_ERROR_RESPONSE_TOO_LARGE, 13, "CONNECTLY_ERROR_RESPONSE_TOO_LARGE"},
        {CONNECTLY_ERROR_CANCELLED, 14, "CONNECTLY_ERROR_CANCELLED"},
        {CONNECTLY_ERROR_MISSING_SIGNATURE, 20, "CONNECTLY_ERROR_MISSING_SIGNATURE"},
        {CONNECTLY_ERROR_MALFORMED_SIGNATURE, 21, "CONNECTLY_ERROR_MALFORMED_SIGNATURE"},
        {CONNECTLY_ERROR_INVALID_SIGNATURE, 22, "CONNECTLY_ERROR_INVALID_SIGNATURE"},
        {CONNECTLY_ERROR_PAYLOAD_TOO_LARGE, 23, "CONNECTLY_ERROR_PAYLOAD_TOO_LARGE"},
        {CONNECTLY_ERROR_INVALID_PAYLOAD, 24, "CONNECTLY_ERROR_INVALID_PAYLOAD"},
        {CONNECTLY_ERROR_INVALID_SECRET, 25, "CONNECTLY_ERROR_INVALID_SECRET"},
        {CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE, 26,
         "CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE"},
        {CONNECTLY_ERROR_METHOD_NOT_ALLOWED, 27, "CONNECTLY_ERROR_METHOD_NOT_ALLOWED"},
        {CONNECTLY_ERROR_UNSUPPORTED_ENCODING, 28, "CONNECTLY_ERROR_UNSUPPORTED_ENCODING"},
        {CONNECTLY_ERROR_MALFORMED_ENCODING, 29, "CONNECTLY_ERROR_MALFORMED_ENCODING"},
        {CONNECTLY_ERROR_INTERNAL, 99, "CONNECTLY_ERROR_INTERNAL"},
    };
    size_t i;
    const char *version = connectly_version();

    /* The numbers are the ABI: they never change. */
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        CHECK((int)table[i].status == table[i].value);
        CHECK_STR(connectly_status_name(table[i].status), table[i].name);
    }
    CHECK_STR(connectly_status_name((connectly_status)12345), "CONNECTLY_UNKNOWN_STATUS");
    CHECK_STR(connectly_status_name((connectly_status)-1), "CONNECTLY_UNKNOWN_STATUS");
    CHECK(version != NULL && strlen(version) >= 5 && strchr(version, '.') != NULL);
    CHECK(CONNECTLY_SIGNATURE_BUFFER_SIZE == 45);

    /* No error yet on this thread: an empty message, no details. */
    CHECK_STR(connectly_last_error_message(), "");
    CHECK(connectly_last_error_code() == NULL);
    CHECK(connectly_last_error_trace_id() == NULL);
    CHECK(connectly_last_error_api_message() == NULL);
    CHECK(connectly_last_error_http_status() == 0);
    CHECK(connectly_last_error_attempts() == 0);
    CHECK(connectly_last_error_retry_after_ms() == -1);
    CHECK(connectly_last_error_field() == NULL);

    /* Getters and frees take NULL. */
    CHECK(connectly_response_status(NULL) == 0);
    CHECK(connectly_response_body(NULL) == NULL);
    CHECK(connectly_response_attempts(NULL) == 0);
    CHECK(connectly_response_trace_id(NULL) == NULL);
    CHECK(connectly_response_id(NULL) == NULL);
    CHECK(connectly_event_timestamp(NULL) == 0);
    CHECK(connectly_event_sender_id(NULL) == NULL);
    CHECK(connectly_event_sender_channel(NULL) == NULL);
    CHECK(connectly_event_recipient_id(NULL) == NULL);
    CHECK(connectly_event_recipient_channel(NULL) == NULL);
    CHECK(connectly_event_text(NULL) == NULL);
    CHECK(connectly_event_json(NULL) == NULL);
    connectly_client_free(NULL);
    connectly_response_free(NULL);
    connectly_webhook_free(NULL);
    connectly_event_free(NULL);
}

/* Each pointer position, NULL in turn: CONNECTLY_ERROR_NULL_ARGUMENT, the argument named in
 * the message, and the output left as it was. */
#define EXPECT_NULL(call, name)                                              \
    do {                                                                     \
        CHECK_STATUS(call, CONNECTLY_ERROR_NULL_ARGUMENT);                   \
        CHECK_CONTAINS(connectly_last_error_message(), "`" name "`");        \
    } while (0)

void test_null_arguments(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_client *sentinel_client = (connectly_client *)&client;
    connectly_client *out_client = sentinel_client;
    connectly_response *sentinel_response = (connectly_response *)&client;
    connectly_response *response = sentinel_response;
    connectly_webhook *webhook = new_webhook();
    connectly_webhook *sentinel_webhook = (connectly_webhook *)&client;
    connectly_webhook *out_webhook = sentinel_webhook;
    connectly_event *sentinel_event = (connectly_event *)&client;
    connectly_event *event = sentinel_event;
    connectly_template_param params[1];
    connectly_template_param bad_params[2];
    const uint8_t *secrets[2];
    size_t lens[2];
    char signature[CONNECTLY_SIGNATURE_BUFFER_SIZE];
    const char *k = mock.api_key, *b = mock.business_id, *u = mock.base_url;

    params[0].name = "var1";
    params[0].value = "value1";
    secrets[0] = (const uint8_t *)SECRET;
    lens[0] = strlen(SECRET);

    EXPECT_NULL(connectly_client_new(NULL, b, u, &out_client), "api_key");
    EXPECT_NULL(connectly_client_new(k, NULL, u, &out_client), "business_id");
    EXPECT_NULL(connectly_client_new(k, b, u, NULL), "out");
    EXPECT_NULL(connectly_client_new_with_options(NULL, b, u, 0, -1, &out_client), "api_key");
    EXPECT_NULL(connectly_client_new_with_options(k, NULL, u, 0, -1, &out_client),
                "business_id");
    EXPECT_NULL(connectly_client_new_with_options(k, b, u, 0, -1, NULL), "out");
    EXPECT_NULL(connectly_client_new_from_env(NULL), "out");
    EXPECT_NULL(connectly_client_with_timeout(NULL, 100, &out_client), "client");
    EXPECT_NULL(connectly_client_with_timeout(client, 100, NULL), "out");
    CHECK(out_client == sentinel_client);

    EXPECT_NULL(connectly_send_text(NULL, "whatsapp", "+15555555555", "hi", &response),
                "client");
    EXPECT_NULL(connectly_send_text(client, NULL, "+15555555555", "hi", &response), "channel");
    EXPECT_NULL(connectly_send_text(client, "whatsapp", NULL, "hi", &response), "to");
    EXPECT_NULL(connectly_send_text(client, "whatsapp", "+15555555555", NULL, &response),
                "text");
    EXPECT_NULL(connectly_send_template(NULL, "+15555555555", "welcome", params, 1, &response),
                "client");
    EXPECT_NULL(connectly_send_template(client, NULL, "welcome", params, 1, &response),
                "number");
    EXPECT_NULL(connectly_send_template(client, "+15555555555", NULL, params, 1, &response),
                "template_name");
    EXPECT_NULL(connectly_send_template(client, "+15555555555", "welcome", NULL, 1, &response),
                "params");
    bad_params[0] = params[0];
    bad_params[1].name = NULL;
    bad_params[1].value = "v";
    EXPECT_NULL(
        connectly_send_template(client, "+15555555555", "welcome", bad_params, 2, &response),
        "params[].name");
    bad_params[1].name = "var2";
    bad_params[1].value = NULL;
    EXPECT_NULL(
        connectly_send_template(client, "+15555555555", "welcome", bad_params, 2, &response),
        "params[].value");
    EXPECT_NULL(connectly_create_webhook(NULL, "https://example.com/h", "messages", &response),
                "client");
    EXPECT_NULL(connectly_create_webhook(client, NULL, "messages", &response), "address");
    EXPECT_NULL(connectly_create_webhook(client, "https://example.com/h", NULL, &response),
                "topic");
    CHECK(response == sentinel_response);

    EXPECT_NULL(connectly_webhook_verify(NULL, 3, BODY, sizeof BODY - 1, "x"), "secret");
    EXPECT_NULL(connectly_webhook_verify((const uint8_t *)SECRET, strlen(SECRET), NULL, 3, "x"),
                "body");
    EXPECT_NULL(connectly_webhook_new(NULL, lens, 1, &out_webhook), "secrets");
    EXPECT_NULL(connectly_webhook_new(secrets, NULL, 1, &out_webhook), "secret_lens");
    EXPECT_NULL(connectly_webhook_new(secrets, lens, 1, NULL), "out");
    secrets[1] = NULL;
    lens[1] = 4;
    EXPECT_NULL(connectly_webhook_new(secrets, lens, 2, &out_webhook), "secrets[]");
    CHECK(out_webhook == sentinel_webhook);
    EXPECT_NULL(connectly_webhook_with_options(NULL, NULL, &out_webhook), "webhook");
    EXPECT_NULL(connectly_webhook_with_options(webhook, NULL, NULL), "out");
    EXPECT_NULL(connectly_webhook_new_with_options(secrets, lens, 2, NULL, &out_webhook),
                "secrets[]");
    EXPECT_NULL(connectly_webhook_verify_signature(NULL, BODY, sizeof BODY - 1, "x"), "webhook");
    EXPECT_NULL(connectly_webhook_verify_signature(webhook, NULL, 5, "x"), "body");
    EXPECT_NULL(connectly_webhook_verify_event(NULL, BODY, sizeof BODY - 1, "x", &event),
                "webhook");
    EXPECT_NULL(connectly_webhook_verify_event(webhook, NULL, 5, "x", &event), "body");
    EXPECT_NULL(connectly_webhook_verify_event(webhook, BODY, sizeof BODY - 1, "x", NULL),
                "out");
    CHECK(event == sentinel_event);
    EXPECT_NULL(connectly_webhook_sign(NULL, BODY, 3, signature, sizeof signature), "webhook");
    EXPECT_NULL(connectly_webhook_sign(webhook, NULL, 3, signature, sizeof signature), "body");
    EXPECT_NULL(connectly_webhook_sign(webhook, BODY, 3, NULL, 45), "out");

    /* A NULL signature is not a NULL argument: it is the absent header. */
    CHECK_STATUS(connectly_webhook_verify_signature(webhook, BODY, sizeof BODY - 1, NULL),
                 CONNECTLY_ERROR_MISSING_SIGNATURE);
    /* (NULL, 0) is an empty slice everywhere. */
    CHECK_STATUS(connectly_webhook_sign(webhook, NULL, 0, signature, sizeof signature),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_signature(webhook, NULL, 0, signature), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify((const uint8_t *)SECRET, strlen(SECRET), NULL, 0,
                                          signature),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify(NULL, 0, NULL, 0, signature),
                 CONNECTLY_ERROR_INVALID_SECRET);
    CHECK_STATUS(connectly_webhook_new(NULL, NULL, 0, &out_webhook),
                 CONNECTLY_ERROR_INVALID_SECRET);
    CHECK(out_webhook == sentinel_webhook);

    connectly_webhook_free(webhook);
    connectly_client_free(client);
}

void test_bad_inputs(void) {
    static const char not_utf8[] = {'a', (char)0xff, 'b', 0};
    connectly_client *sentinel = (connectly_client *)&sentinel;
    connectly_client *client = sentinel;
    connectly_client *ok = mock_client(0, 5000);
    connectly_response *response = NULL;
    connectly_webhook *webhook = new_webhook();
    connectly_template_param params[2];
    char small[44];
    char signature[64];
    const uint8_t *secrets[9];
    size_t lens[9], i;

    CHECK_STATUS(connectly_client_new(not_utf8, "biz", NULL, &client),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "api_key");
    CHECK_CONTAINS(connectly_last_error_message(), "UTF-8");
    CHECK_STATUS(connectly_client_new("key", not_utf8, NULL, &client),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_client_new("key", "biz", not_utf8, &client),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK(client == sentinel);

    CHECK_STATUS(connectly_send_text(ok, "whatsapp", not_utf8, "hi", &response),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_send_text(ok, "whatsapp", "+15555555555", not_utf8, &response),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    params[0].name = "var1";
    params[0].value = not_utf8;
    CHECK_STATUS(connectly_send_template(ok, "+15555555555", "welcome", params, 1, &response),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    /* Validation, before anything is sent. */
    CHECK_STATUS(connectly_send_text(ok, "whatsapp", "+15555555555", "", &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "text");
    CHECK(connectly_last_error_attempts() == 0);
    CHECK_STATUS(connectly_send_text(ok, "whatsapp", "+1", "hi", &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_send_text(ok, "", "+15555555555", "hi", &response),
                 CONNECTLY_ERROR_VALIDATION);
    params[0].value = "a";
    params[1].name = "var1";
    params[1].value = "b";
    CHECK_STATUS(connectly_send_template(ok, "+15555555555", "welcome", params, 2, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_send_template(ok, "+15555555555", "", params, 1, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_create_webhook(ok, "http://example.com/hook", "messages", &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_create_webhook(ok, "not a url", "messages", &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK(response == NULL);

    /* A signature buffer too small: refused, nothing written. */
    memset(small, 'z', sizeof small);
    CHECK_STATUS(connectly_webhook_sign(webhook, BODY, 3, small, sizeof small),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK(small[0] == 'z' && small[43] == 'z');
    CHECK_STATUS(connectly_webhook_sign(webhook, BODY, 3, signature, sizeof signature),
                 CONNECTLY_OK);
    CHECK(strlen(signature) == 44);
    /* A signature that is not UTF-8 cannot be base64. */
    CHECK_STATUS(connectly_webhook_verify_signature(webhook, BODY, 3, not_utf8),
                 CONNECTLY_ERROR_MALFORMED_SIGNATURE);
    /* Secrets: none, nine, an empty one. */
    for (i = 0; i < 9; i++) {
        secrets[i] = (const uint8_t *)SECRET;
        lens[i] = strlen(SECRET);
    }
    {
        connectly_webhook *w = NULL;
        CHECK_STATUS(connectly_webhook_new(secrets, lens, 9, &w), CONNECTLY_ERROR_INVALID_SECRET);
        CHECK_STATUS(connectly_webhook_new(secrets, lens, 8, &w), CONNECTLY_OK);
        connectly_webhook_free(w);
        w = NULL;
        lens[1] = 0;
        CHECK_STATUS(connectly_webhook_new(secrets, lens, 2, &w), CONNECTLY_ERROR_INVALID_SECRET);
        CHECK(w == NULL);
    }
    /* Messages never contain the secret or the signature. */
    CHECK_STATUS(connectly_webhook_verify_signature(webhook, BODY, 3,
                                               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
                 CONNECTLY_ERROR_INVALID_SIGNATURE);
    CHECK(strstr(connectly_last_error_message(), SECRET) == NULL);
    CHECK(strstr(connectly_last_error_message(), "AAAAAAAA") == NULL);

    connectly_webhook_free(webhook);
    connectly_client_free(ok);
}
