/* The shared webhook vectors, and the prepared verifier's whole surface. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <time.h>

#include "suite.h"

#include "vectors.h"

void test_signature_vectors(void) {
    size_t i, rows = 0;
    for (i = 0; i < SIG_VECTOR_ROWS; i++) {
        const struct sig_vector *v = &SIG_VECTORS[i];
        size_t secret_len, body_len;
        unsigned char *secret = unhex(v->secret_hex, &secret_len);
        unsigned char *body = unhex(v->body_hex, &body_len);
        const uint8_t *secrets[1];
        connectly_webhook *webhook = NULL;
        char signature[CONNECTLY_SIGNATURE_BUFFER_SIZE];

        secrets[0] = secret;
        CHECK_STATUS(connectly_webhook_verify(secret, secret_len, body, body_len, v->signature),
                     CONNECTLY_OK);
        CHECK_STATUS(connectly_webhook_new(secrets, &secret_len, 1, &webhook), CONNECTLY_OK);
        CHECK_STATUS(connectly_webhook_verify_signature(webhook, body, body_len, v->signature),
                     CONNECTLY_OK);
        CHECK_STATUS(connectly_webhook_sign(webhook, body, body_len, signature, sizeof signature),
                     CONNECTLY_OK);
        CHECK_STR(signature, v->signature);
        /* One flipped body byte no longer verifies. */
        if (body_len > 0) {
            body[0] ^= 1;
            CHECK_STATUS(connectly_webhook_verify_signature(webhook, body, body_len, v->signature),
                         CONNECTLY_ERROR_INVALID_SIGNATURE);
        }
        connectly_webhook_free(webhook);
        free(secret);
        free(body);
        rows++;
    }
    printf("webhooks.json: %lu rows\n", (unsigned long)rows);
    CHECK(rows == 7);
    conformance_report("webhooks.json", rows);
}

void test_webhook_error_vectors(void) {
    size_t i, rows = 0;
    for (i = 0; i < ERR_VECTOR_ROWS; i++) {
        const struct err_vector *v = &ERR_VECTORS[i];
        size_t secret_len, unit_len, sig_len, body_len, k;
        unsigned char *secret = unhex(v->secret_hex, &secret_len);
        unsigned char *unit = unhex(v->body_hex, &unit_len);
        unsigned char *signature = unhex(v->signature_hex, &sig_len);
        const char *sig = v->has_signature ? (const char *)signature : NULL;
        unsigned char *body;
        const uint8_t *secrets[1];
        connectly_webhook *webhook = NULL;
        connectly_webhook_options options;
        connectly_event *event = NULL;
        connectly_status made;
        long failures_before = harness_failures;

        body_len = unit_len * (size_t)v->body_repeat;
        body = malloc(body_len + 1);
        if (body == NULL) abort();
        for (k = 0; k < (size_t)v->body_repeat; k++) memcpy(body + k * unit_len, unit, unit_len);

        secrets[0] = secret;
        memset(&options, 0, sizeof options);
        if (v->max_body_size >= 0) options.max_body_size = (size_t)v->max_body_size;
        if (v->tolerance_s >= 0) {
            options.check_timestamp = true;
            options.tolerance_secs = (uint64_t)v->tolerance_s;
        }
        made = connectly_webhook_new_with_options(secrets, &secret_len, 1, &options, &webhook);
        if (made != CONNECTLY_OK) {
            /* Only an invalid secret may refuse the verifier; then it is the expected kind. */
            CHECK_STATUS(made, v->expected_verify);
            CHECK(webhook == NULL);
        } else {
            CHECK_STATUS(connectly_webhook_verify_signature(webhook, body, body_len, sig),
                         v->expected_verify);
            CHECK_STATUS(connectly_webhook_verify_event(webhook, body, body_len, sig, &event),
                         v->expected_verify_event);
            CHECK((event != NULL) == (v->expected_verify_event == CONNECTLY_OK));
            connectly_event_free(event);
        }
        if (v->max_body_size < 0 && v->tolerance_s < 0) {
            CHECK_STATUS(connectly_webhook_verify(secret, secret_len, body, body_len, sig),
                         v->expected_verify);
        }
        if (harness_failures != failures_before) fprintf(stderr, "  (in row %s)\n", v->name);
        connectly_webhook_free(webhook);
        free(secret);
        free(unit);
        free(signature);
        free(body);
        rows++;
    }
    printf("webhook_errors.json: %lu rows\n", (unsigned long)rows);
    CHECK(rows == ERR_VECTOR_ROWS);
    conformance_report("webhook_errors.json", rows);
}

void test_receiving_vectors(void) {
    size_t i, rows = 0;
    for (i = 0; i < RECV_VECTOR_ROWS; i++) {
        const struct recv_vector *v = &RECV_VECTORS[i];
        size_t body_len, want_len, got_len = 0;
        unsigned char *body = unhex(v->body_hex, &body_len);
        unsigned char *want = unhex(v->event_body_hex, &want_len);
        const uint8_t *secrets[1];
        size_t secret_len = strlen(RECV_SECRET);
        connectly_webhook *webhook = NULL;
        connectly_event *event = NULL;
        uint16_t answer = 0, admitted = 0;
        long failures_before = harness_failures;

        connectly_webhook_options options;
        memset(&options, 0, sizeof options);
        if (v->max_body_size >= 0) options.max_body_size = (size_t)v->max_body_size;
        secrets[0] = (const uint8_t *)RECV_SECRET;
        CHECK_STATUS(connectly_webhook_new_with_options(secrets, &secret_len, 1, &options, &webhook),
                     CONNECTLY_OK);
        /* What a server knows before reading: the method and the declared length. */
        connectly_webhook_admit(webhook, v->method, (int64_t)body_len, &admitted);
        if (admitted != 200) CHECK(admitted == v->http_status);
        CHECK_STATUS(connectly_webhook_receive(webhook, v->method,
                                               v->has_encoding ? v->encoding : NULL, body,
                                               body_len, v->has_signature ? v->signature : NULL,
                                               &event, &answer),
                     v->expected);
        CHECK(answer == v->http_status);
        CHECK((event != NULL) == (v->expected == CONNECTLY_OK));
        if (event != NULL) {
            const uint8_t *got = connectly_event_body(event, &got_len);
            const char *json = connectly_event_json(event);
            CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
            /* The JSON text is the signed bytes as they came: no re-encoding. */
            CHECK(strlen(json) == want_len && memcmp(json, want, want_len) == 0);
            CHECK_STR(connectly_event_text(event), v->event_text);
        }
        if (harness_failures != failures_before) fprintf(stderr, "  (in row %s)\n", v->name);
        connectly_event_free(event);
        connectly_webhook_free(webhook);
        free(body);
        free(want);
        rows++;
    }
    printf("receiving.json: %lu rows\n", (unsigned long)rows);
    CHECK(rows == RECV_VECTOR_ROWS);
    conformance_report("receiving.json", rows);
}

/* Every pointer may be NULL; *http_status is written whatever happens. */
void test_receive_null_arguments(void) {
    static const uint8_t secret[] = "s";
    const uint8_t *secrets[1];
    size_t secret_len = 1, len = 99;
    connectly_webhook *webhook = NULL;
    connectly_event *event = NULL;
    uint16_t answer = 0;

    secrets[0] = secret;
    CHECK_STATUS(connectly_webhook_new(secrets, &secret_len, 1, &webhook), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_receive(NULL, "POST", NULL, NULL, 0, NULL, &event, &answer),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK(answer == 500 && event == NULL);
    CHECK_STATUS(connectly_webhook_receive(webhook, NULL, NULL, NULL, 0, NULL, &event, NULL),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_webhook_receive(webhook, "POST", NULL, NULL, 5, NULL, &event, &answer),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_webhook_receive(webhook, "POST", NULL, NULL, 0, NULL, NULL, &answer),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK(answer == 500);
    CHECK_STATUS(connectly_webhook_receive(webhook, "POST", NULL, NULL, 0, NULL, &event, &answer),
                 CONNECTLY_ERROR_MISSING_SIGNATURE);
    CHECK(answer == 403 && event == NULL);
    /* A signature that is not UTF-8 is malformed; an encoding that is not UTF-8 unsupported. */
    CHECK_STATUS(connectly_webhook_receive(webhook, "POST", NULL, NULL, 0, "\xff", &event, &answer),
                 CONNECTLY_ERROR_MALFORMED_SIGNATURE);
    CHECK_STATUS(connectly_webhook_receive(webhook, "POST", "\xff", NULL, 0, NULL, &event, &answer),
                 CONNECTLY_ERROR_UNSUPPORTED_ENCODING);
    CHECK(answer == 415);
    /* A method that is not UTF-8 is not POST. */
    CHECK_STATUS(connectly_webhook_receive(webhook, "P\xffST", NULL, NULL, 0, NULL, &event, &answer),
                 CONNECTLY_ERROR_METHOD_NOT_ALLOWED);
    CHECK(answer == 405);
    CHECK_STATUS(connectly_webhook_admit(webhook, "\xff", -1, &answer),
                 CONNECTLY_ERROR_METHOD_NOT_ALLOWED);
    CHECK(answer == 405);
    CHECK_STATUS(connectly_webhook_admit(NULL, "POST", -1, &answer), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK(answer == 500);
    CHECK_STATUS(connectly_webhook_admit(webhook, NULL, -1, NULL), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_webhook_admit(webhook, "POST", -1, &answer), CONNECTLY_OK);
    CHECK(answer == 200);
    CHECK_STATUS(connectly_webhook_admit(webhook, "POST", INT64_MAX, &answer),
                 CONNECTLY_ERROR_PAYLOAD_TOO_LARGE);
    CHECK(answer == 413);
    CHECK(connectly_event_body(NULL, &len) == NULL && len == 0);
    CHECK(connectly_event_body(NULL, NULL) == NULL);
    connectly_webhook_free(webhook);
}

void test_webhook_handle(void) {
    static const char body[] =
        "{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"+16315555500\",\"channelType\":"
        "\"whatsapp\"},\"recipient\":{\"id\":\"123456123\",\"channelType\":\"whatsapp\"},"
        "\"message\":{\"text\":\"TEST 11\"},\"extra\":[1,2]}";
    const uint8_t *secrets[2];
    size_t lens[2], len = sizeof body - 1;
    connectly_webhook *old_only = NULL, *rotating = NULL, *derived = NULL;
    connectly_webhook_options options;
    connectly_event *event = NULL;
    char old_sig[CONNECTLY_SIGNATURE_BUFFER_SIZE], new_sig[CONNECTLY_SIGNATURE_BUFFER_SIZE];
    char fresh[160];

    secrets[0] = (const uint8_t *)"new-secret";
    lens[0] = 10;
    secrets[1] = (const uint8_t *)"old-secret";
    lens[1] = 10;
    CHECK_STATUS(connectly_webhook_new(secrets + 1, lens + 1, 1, &old_only), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_new(secrets, lens, 2, &rotating), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_sign(old_only, (const uint8_t *)body, len, old_sig,
                                        sizeof old_sig),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_sign(rotating, (const uint8_t *)body, len, new_sig,
                                        sizeof new_sig),
                 CONNECTLY_OK);
    CHECK(strcmp(old_sig, new_sig) != 0);
    /* Rotation: both signatures verify with the rotating verifier; the new one does not
     * verify with the old secret alone. */
    CHECK_STATUS(connectly_webhook_verify_signature(rotating, (const uint8_t *)body, len, old_sig),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_signature(rotating, (const uint8_t *)body, len, new_sig),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_signature(old_only, (const uint8_t *)body, len, new_sig),
                 CONNECTLY_ERROR_INVALID_SIGNATURE);
    CHECK_CONTAINS(connectly_last_error_message(), "does not match");
    /* A success clears the thread's last error. */
    CHECK_STATUS(connectly_webhook_verify_signature(old_only, (const uint8_t *)body, len, old_sig),
                 CONNECTLY_OK);
    CHECK_STR(connectly_last_error_message(), "");
    /* Surrounding whitespace in the header is tolerated. */
    {
        char padded[64];
        snprintf(padded, sizeof padded, "  %s\t", old_sig);
        CHECK_STATUS(connectly_webhook_verify_signature(old_only, (const uint8_t *)body, len, padded),
                     CONNECTLY_OK);
    }

    /* The event, parsed only after the signature matched. */
    CHECK_STATUS(connectly_webhook_verify_event(rotating, (const uint8_t *)body, len, new_sig,
                                                &event),
                 CONNECTLY_OK);
    CHECK(connectly_event_timestamp(event) == 1639083206LL);
    CHECK_STR(connectly_event_sender_id(event), "+16315555500");
    CHECK_STR(connectly_event_sender_channel(event), "whatsapp");
    CHECK_STR(connectly_event_recipient_id(event), "123456123");
    CHECK_STR(connectly_event_recipient_channel(event), "whatsapp");
    CHECK_STR(connectly_event_text(event), "TEST 11");
    CHECK_CONTAINS(connectly_event_json(event), "\"extra\":[1,2]");
    connectly_event_free(event);
    event = NULL;

    /* An event without text. */
    {
        static const char no_text[] =
            "{\"timestamp\":\"1\",\"sender\":{\"id\":\"a\",\"channelType\":\"sms\"},"
            "\"recipient\":{\"id\":\"b\",\"channelType\":\"sms\"}}";
        char sig[CONNECTLY_SIGNATURE_BUFFER_SIZE];
        CHECK_STATUS(connectly_webhook_sign(rotating, (const uint8_t *)no_text,
                                            sizeof no_text - 1, sig, sizeof sig),
                     CONNECTLY_OK);
        CHECK_STATUS(connectly_webhook_verify_event(rotating, (const uint8_t *)no_text,
                                                    sizeof no_text - 1, sig, &event),
                     CONNECTLY_OK);
        CHECK(connectly_event_text(event) == NULL);
        CHECK_STR(connectly_event_sender_channel(event), "sms");
        connectly_event_free(event);
        event = NULL;
    }

    /* Size limit, in a derived verifier: exactly the limit passes, one byte over is refused;
     * the verifier it was derived from is unchanged. */
    memset(&options, 0, sizeof options);
    options.max_body_size = len;
    CHECK_STATUS(connectly_webhook_with_options(old_only, &options, &derived), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_signature(derived, (const uint8_t *)body, len, old_sig),
                 CONNECTLY_OK);
    connectly_webhook_free(derived);
    options.max_body_size = len - 1;
    CHECK_STATUS(connectly_webhook_with_options(old_only, &options, &derived), CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_signature(derived, (const uint8_t *)body, len, old_sig),
                 CONNECTLY_ERROR_PAYLOAD_TOO_LARGE);
    CHECK_STATUS(connectly_webhook_verify_signature(old_only, (const uint8_t *)body, len, old_sig),
                 CONNECTLY_OK);
    connectly_webhook_free(derived);
    CHECK_STATUS(connectly_webhook_with_options(NULL, &options, &derived),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_STATUS(connectly_webhook_with_options(old_only, NULL, NULL),
                 CONNECTLY_ERROR_NULL_ARGUMENT);

    /* Tolerance: the documented 2021 timestamp is far outside 300 s; a fresh one is inside. */
    memset(&options, 0, sizeof options);
    options.check_timestamp = true;
    options.tolerance_secs = 300;
    CHECK_STATUS(connectly_webhook_with_options(rotating, &options, &derived), CONNECTLY_OK);
    connectly_webhook_free(rotating);
    rotating = derived;
    CHECK(CONNECTLY_DEFAULT_MAX_BODY_SIZE == 5 * 1024 * 1024 && CONNECTLY_MAX_SECRETS == 8);
    CHECK_STATUS(connectly_webhook_verify_signature(rotating, (const uint8_t *)body, len, new_sig),
                 CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE);
    snprintf(fresh, sizeof fresh,
             "{\"timestamp\":\"%ld\",\"sender\":{\"id\":\"a\",\"channelType\":\"sms\"},"
             "\"recipient\":{\"id\":\"b\",\"channelType\":\"sms\"}}",
             (long)time(NULL));
    CHECK_STATUS(connectly_webhook_sign(rotating, (const uint8_t *)fresh, strlen(fresh),
                                        new_sig, sizeof new_sig),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_event(rotating, (const uint8_t *)fresh, strlen(fresh),
                                                new_sig, &event),
                 CONNECTLY_OK);
    connectly_event_free(event);

    connectly_webhook_free(old_only);
    connectly_webhook_free(rotating);
}
