/* Typed events: events.json through every getter, delivery statuses fed to a status
 * tracker, the tracker alone and from several threads, and NULL everywhere. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>

#include "suite.h"
#include "vectors.h"

static connectly_webhook *webhook_for(const char *secret) {
    const uint8_t *secrets[1];
    size_t len = strlen(secret);
    connectly_webhook *webhook = NULL;
    secrets[0] = (const uint8_t *)secret;
    CHECK_STATUS(connectly_webhook_new(secrets, &len, 1, &webhook), CONNECTLY_OK);
    return webhook;
}

/* Coordinates are compared as numbers: the core and this file each parse the same text. */
static int close_to(double got, double want) {
    return fabs(got - want) <= 1e-9 * (fabs(want) > 1.0 ? fabs(want) : 1.0);
}

static void check_event(const connectly_event *e, const struct event_vector *v) {
    double latitude = 1234.5, longitude = 1234.5;
    size_t body_len = 0;
    const uint8_t *body = connectly_event_body(e, &body_len);

    CHECK_STR(connectly_event_topic(e), v->topic);
    CHECK(connectly_event_timestamp(e) == v->timestamp);
    CHECK_STR(connectly_event_sender_id(e), v->sender.id);
    CHECK_STR(connectly_event_sender_channel(e), v->sender.channel_type);
    CHECK_OPT_STR(connectly_event_sender_name(e), v->sender.name);
    CHECK_OPT_STR(connectly_event_sender_user_id(e), v->sender.user_id);
    CHECK_OPT_STR(connectly_event_sender_phone_number(e), v->sender.phone_number);
    CHECK_STR(connectly_event_recipient_id(e), v->recipient.id);
    CHECK_STR(connectly_event_recipient_channel(e), v->recipient.channel_type);
    CHECK_OPT_STR(connectly_event_recipient_name(e), v->recipient.name);
    CHECK_OPT_STR(connectly_event_recipient_user_id(e), v->recipient.user_id);
    CHECK_OPT_STR(connectly_event_recipient_phone_number(e), v->recipient.phone_number);
    CHECK(json_text_equal(connectly_event_callback_data_json(e), v->callback_data_json));

    /* Message fields: NULL for the other kinds (the generator writes NULL there too). */
    CHECK_OPT_STR(connectly_event_text(e), v->text);
    CHECK_OPT_STR(connectly_event_attachment_type(e), v->attachment[0]);
    CHECK_OPT_STR(connectly_event_attachment_url(e), v->attachment[1]);
    CHECK_OPT_STR(connectly_event_attachment_caption(e), v->attachment[2]);
    CHECK_OPT_STR(connectly_event_attachment_filename(e), v->attachment[3]);
    CHECK(connectly_event_location(e, &latitude, &longitude) == (v->has_location != 0));
    if (v->has_location) {
        CHECK(close_to(latitude, v->latitude));
        CHECK(close_to(longitude, v->longitude));
    } else {
        CHECK(latitude == 1234.5 && longitude == 1234.5);
    }
    CHECK_OPT_STR(connectly_event_location_name(e), v->location_name);
    CHECK_OPT_STR(connectly_event_location_address(e), v->location_address);
    CHECK(connectly_event_has_button_reply(e) == (v->has_button_reply != 0));
    CHECK_OPT_STR(connectly_event_button_text(e), v->button[0]);
    CHECK_OPT_STR(connectly_event_button_payload(e), v->button[1]);
    CHECK_OPT_STR(connectly_event_button_id(e), v->button[2]);
    CHECK_OPT_STR(connectly_event_list_reply_id(e), v->list_reply[0]);
    CHECK_OPT_STR(connectly_event_list_reply_text(e), v->list_reply[1]);
    CHECK_OPT_STR(connectly_event_list_reply_description(e), v->list_reply[2]);
    CHECK_OPT_STR(connectly_event_reply_to_id(e), v->reply_to_id);
    CHECK(json_text_equal(connectly_event_referral_json(e), v->referral_json));

    /* Delivery-status fields: NULL for the other kinds. */
    CHECK_OPT_STR(connectly_event_message_id(e), v->message_id);
    CHECK_OPT_STR(connectly_event_status(e), v->status);
    CHECK_OPT_STR(connectly_event_error_code(e), v->error[0]);
    CHECK_OPT_STR(connectly_event_error_type(e), v->error[1]);
    CHECK_OPT_STR(connectly_event_error_message(e), v->error[2]);
    CHECK_OPT_STR(connectly_event_error_trace_id(e), v->error[3]);
    CHECK_OPT_STR(connectly_event_campaign_name(e), v->campaign_name);
    CHECK(connectly_event_has_error(e) == (v->has_error != 0));

    /* The signed bytes, and the raw JSON (the same text as connectly_event_json). */
    CHECK(body_len == strlen(v->body) && memcmp(body, v->body, body_len) == 0);
    CHECK(connectly_event_raw_json(e) == connectly_event_json(e));
    CHECK(json_text_equal(connectly_event_raw_json(e), v->body));
}

void test_event_vectors(void) {
    connectly_webhook *webhook = webhook_for(EVENT_SECRET);
    size_t i, rows = 0;
    for (i = 0; i < EVENT_VECTOR_ROWS; i++) {
        const struct event_vector *v = &EVENT_VECTORS[i];
        const uint8_t *body = (const uint8_t *)v->body;
        size_t len = strlen(v->body);
        connectly_event *event = NULL;
        long failures_before = harness_failures;

        CHECK_STATUS(connectly_webhook_verify_signature(webhook, body, len, v->signature),
                     CONNECTLY_OK);
        if (v->invalid_payload) {
            CHECK_STATUS(connectly_webhook_verify_event(webhook, body, len, v->signature, &event),
                         CONNECTLY_ERROR_INVALID_PAYLOAD);
            CHECK(event == NULL);
        } else {
            CHECK_STATUS(connectly_webhook_verify_event(webhook, body, len, v->signature, &event),
                         CONNECTLY_OK);
            if (event != NULL) check_event(event, v);
        }
        if (harness_failures != failures_before) fprintf(stderr, "  (in row %s)\n", v->name);
        connectly_event_free(event);
        rows++;
    }
    printf("events.json: %lu rows\n", (unsigned long)rows);
    CHECK(rows == EVENT_VECTOR_ROWS && rows > 0);
    conformance_report("events.json", rows);
    connectly_webhook_free(webhook);
}

/* Signs `body` with `webhook` and parses it into a new event (NULL on failure). */
static connectly_event *signed_event(const connectly_webhook *webhook, const char *body) {
    char signature[CONNECTLY_SIGNATURE_BUFFER_SIZE];
    connectly_event *event = NULL;
    size_t len = strlen(body);
    CHECK_STATUS(connectly_webhook_sign(webhook, (const uint8_t *)body, len, signature,
                                        sizeof signature),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_webhook_verify_event(webhook, (const uint8_t *)body, len, signature,
                                                &event),
                 CONNECTLY_OK);
    return event;
}

void test_typed_events(void) {
    static const char *const statuses[] = {"read", "delivered", "sent", "read"};
    static const int forward[] = {1, 0, 0, 0};
    connectly_webhook *webhook = webhook_for("typed-events-secret");
    connectly_status_tracker *tracker = connectly_status_tracker_new();
    connectly_event *event;
    double latitude = 7.0;
    char body[512], *furthest;
    size_t i;

    /* Statuses arriving out of order and repeated: only the first moves the message. */
    for (i = 0; i < 4; i++) {
        bool moved = !forward[i];
        snprintf(body, sizeof body,
                 "{\"topic\":\"delivery_status\",\"timestamp\":\"1641513098\","
                 "\"sender\":{\"id\":\"+16044441111\",\"channelType\":\"whatsapp\"},"
                 "\"recipient\":{\"id\":\"+16044551234\",\"channelType\":\"whatsapp\"},"
                 "\"statusUpdate\":{\"id\":\"msg-1\",\"status\":\"%s\"},"
                 "\"callbackData\":{\"orderId\":42}}",
                 statuses[i]);
        event = signed_event(webhook, body);
        CHECK_STR(connectly_event_topic(event), "delivery_status");
        CHECK_STR(connectly_event_message_id(event), "msg-1");
        CHECK(json_text_equal(connectly_event_callback_data_json(event), "{\"orderId\": 42}"));
        CHECK(connectly_event_text(event) == NULL);
        CHECK(connectly_event_error_code(event) == NULL);
        CHECK(!connectly_event_has_error(event));
        CHECK_STATUS(connectly_status_tracker_advance(tracker, connectly_event_message_id(event),
                                                      connectly_event_status(event), &moved),
                     CONNECTLY_OK);
        CHECK(moved == (forward[i] != 0));
        connectly_event_free(event);
    }
    furthest = connectly_status_tracker_status(tracker, "msg-1");
    CHECK_STR(furthest, "read");
    connectly_string_free(furthest);

    /* A failed status with its error, the campaign from statusUpdate.metadata; final. */
    event = signed_event(
        webhook,
        "{\"topic\":\"delivery_status\",\"timestamp\":\"1641513098\","
        "\"sender\":{\"id\":\"+16044441111\",\"channelType\":\"whatsapp\"},"
        "\"recipient\":{\"id\":\"+16044551234\",\"channelType\":\"whatsapp\"},"
        "\"statusUpdate\":{\"id\":\"msg-1\",\"status\":\"delivery_failure\",\"error\":{\"code\":"
        "\"ERROR_CODE_X\",\"type\":\"ERROR_TYPE_Y\",\"message\":\"no\",\"cntTraceId\":\"77\"},"
        "\"metadata\":{\"campaignName\":\"autumn\"}}}");
    CHECK_STR(connectly_event_status(event), "delivery_failed");
    CHECK(connectly_event_has_error(event));
    CHECK_STR(connectly_event_error_code(event), "ERROR_CODE_X");
    CHECK_STR(connectly_event_error_type(event), "ERROR_TYPE_Y");
    CHECK_STR(connectly_event_error_message(event), "no");
    CHECK_STR(connectly_event_error_trace_id(event), "77");
    CHECK_STR(connectly_event_campaign_name(event), "autumn");
    CHECK(connectly_event_callback_data_json(event) == NULL);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "msg-1", connectly_event_status(event),
                                                  NULL),
                 CONNECTLY_OK);
    furthest = connectly_status_tracker_status(tracker, "msg-1");
    CHECK_STR(furthest, "delivery_failed");
    connectly_string_free(furthest);
    connectly_event_free(event);

    /* An inbound media message: the message getters, no status ones; out pointers may be
     * NULL. */
    event = signed_event(
        webhook,
        "{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"+16315555500\",\"channelType\":"
        "\"whatsapp\",\"name\":\"Ada\"},\"recipient\":{\"id\":\"+16044441234\",\"channelType\":"
        "\"whatsapp\"},\"message\":{\"attachments\":[{\"type\":\"image\",\"url\":"
        "\"https://cdn.example.com/a.jpg\",\"caption\":\"receipt\"}]}}");
    CHECK_STR(connectly_event_topic(event), "messages");
    CHECK_STR(connectly_event_sender_name(event), "Ada");
    CHECK_STR(connectly_event_attachment_type(event), "image");
    CHECK_STR(connectly_event_attachment_url(event), "https://cdn.example.com/a.jpg");
    CHECK_STR(connectly_event_attachment_caption(event), "receipt");
    CHECK(connectly_event_attachment_filename(event) == NULL);
    CHECK(!connectly_event_location(event, &latitude, NULL) && latitude == 7.0);
    CHECK(connectly_event_status(event) == NULL && connectly_event_message_id(event) == NULL);
    CHECK(!connectly_event_has_button_reply(event));
    CHECK(!connectly_event_has_error(event));
    CHECK(connectly_event_recipient_user_id(event) == NULL);
    CHECK(connectly_event_recipient_phone_number(event) == NULL);
    connectly_event_free(event);
    event = signed_event(
        webhook,
        "{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"+16315555500\",\"channelType\":"
        "\"whatsapp\"},\"recipient\":{\"id\":\"+16044441234\",\"channelType\":\"whatsapp\"},"
        "\"message\":{\"location\":{\"latitude\":-33.5,\"longitude\":151.25}}}");
    CHECK(connectly_event_location(event, NULL, NULL));
    CHECK(connectly_event_location(event, &latitude, NULL) && latitude == -33.5);
    connectly_event_free(event);

    /* Both parties known by a BSUID, with and without a phone number; an error that is an
     * empty object is still an error, with no field. */
    event = signed_event(
        webhook,
        "{\"topic\":\"delivery_status\",\"timestamp\":\"1641513098\",\"sender\":{\"id\":"
        "\"bsuid:US.1\",\"channelType\":\"whatsapp\",\"userId\":\"US.1\",\"phoneNumber\":"
        "\"\"},\"recipient\":{\"id\":\"bsuid:US.2\",\"channelType\":\"whatsapp\",\"userId\":"
        "\"US.2\",\"phoneNumber\":\"+16315555500\"},\"statusUpdate\":{\"id\":\"msg-2\","
        "\"status\":\"delivery_failed\",\"error\":{}}}");
    CHECK_STR(connectly_event_sender_user_id(event), "US.1");
    CHECK_STR(connectly_event_sender_phone_number(event), "");
    CHECK_STR(connectly_event_recipient_user_id(event), "US.2");
    CHECK_STR(connectly_event_recipient_phone_number(event), "+16315555500");
    CHECK(connectly_event_has_error(event));
    CHECK(connectly_event_error_code(event) == NULL && connectly_event_error_type(event) == NULL);
    CHECK(connectly_event_error_message(event) == NULL);
    CHECK(connectly_event_error_trace_id(event) == NULL);
    connectly_event_free(event);

    /* Every getter takes NULL. */
    latitude = 7.0;
    CHECK(connectly_event_topic(NULL) == NULL);
    CHECK(connectly_event_sender_name(NULL) == NULL);
    CHECK(connectly_event_sender_user_id(NULL) == NULL);
    CHECK(connectly_event_sender_phone_number(NULL) == NULL);
    CHECK(connectly_event_recipient_name(NULL) == NULL);
    CHECK(connectly_event_recipient_user_id(NULL) == NULL);
    CHECK(connectly_event_recipient_phone_number(NULL) == NULL);
    CHECK(connectly_event_callback_data_json(NULL) == NULL);
    CHECK(connectly_event_raw_json(NULL) == NULL);
    CHECK(connectly_event_attachment_type(NULL) == NULL);
    CHECK(connectly_event_attachment_url(NULL) == NULL);
    CHECK(connectly_event_attachment_caption(NULL) == NULL);
    CHECK(connectly_event_attachment_filename(NULL) == NULL);
    CHECK(!connectly_event_location(NULL, &latitude, &latitude) && latitude == 7.0);
    CHECK(!connectly_event_location(NULL, NULL, NULL));
    CHECK(connectly_event_location_name(NULL) == NULL);
    CHECK(connectly_event_location_address(NULL) == NULL);
    CHECK(!connectly_event_has_button_reply(NULL));
    CHECK(connectly_event_button_text(NULL) == NULL);
    CHECK(connectly_event_button_payload(NULL) == NULL);
    CHECK(connectly_event_button_id(NULL) == NULL);
    CHECK(connectly_event_list_reply_id(NULL) == NULL);
    CHECK(connectly_event_list_reply_text(NULL) == NULL);
    CHECK(connectly_event_list_reply_description(NULL) == NULL);
    CHECK(connectly_event_reply_to_id(NULL) == NULL);
    CHECK(connectly_event_referral_json(NULL) == NULL);
    CHECK(connectly_event_message_id(NULL) == NULL);
    CHECK(connectly_event_status(NULL) == NULL);
    CHECK(!connectly_event_has_error(NULL));
    CHECK(connectly_event_error_code(NULL) == NULL);
    CHECK(connectly_event_error_type(NULL) == NULL);
    CHECK(connectly_event_error_message(NULL) == NULL);
    CHECK(connectly_event_error_trace_id(NULL) == NULL);
    CHECK(connectly_event_campaign_name(NULL) == NULL);

    connectly_status_tracker_free(tracker);
    connectly_webhook_free(webhook);
}

void test_status_tracker(void) {
    static const char not_utf8[] = {'r', (char)0xff, 0};
    connectly_status_tracker *tracker = connectly_status_tracker_new();
    bool forward = false, untouched = true;
    char *status;

    CHECK(tracker != NULL);
    CHECK(connectly_status_tracker_status(tracker, "m1") == NULL);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m1", "delivered", &forward),
                 CONNECTLY_OK);
    CHECK(forward);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m1", "sent", &forward), CONNECTLY_OK);
    CHECK(!forward);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m1", "delivered", &forward),
                 CONNECTLY_OK);
    CHECK(!forward);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m1", "read", &forward), CONNECTLY_OK);
    CHECK(forward);
    status = connectly_status_tracker_status(tracker, "m1");
    CHECK_STR(status, "read");
    connectly_string_free(status);
    /* A status the SDK does not know comes before every known one. */
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m2", "pending", &forward),
                 CONNECTLY_OK);
    CHECK(forward);
    status = connectly_status_tracker_status(tracker, "m2");
    CHECK_STR(status, "pending");
    connectly_string_free(status);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m2", "sent", &forward), CONNECTLY_OK);
    CHECK(forward);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m2", "other", &forward), CONNECTLY_OK);
    CHECK(!forward);
    /* The other spelling of a failure is the same status; failed is final. */
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m2", "delivery_failure", &forward),
                 CONNECTLY_OK);
    CHECK(forward);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m2", "read", &forward), CONNECTLY_OK);
    CHECK(!forward);
    status = connectly_status_tracker_status(tracker, "m2");
    CHECK_STR(status, "delivery_failed");
    connectly_string_free(status);

    /* NULL and unusable arguments: nothing recorded, `forward` untouched. */
    CHECK_STATUS(connectly_status_tracker_advance(NULL, "m3", "sent", &untouched),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "`tracker`");
    CHECK_STATUS(connectly_status_tracker_advance(tracker, NULL, "sent", &untouched),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "`message_id`");
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m3", NULL, &untouched),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "`status`");
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m3", not_utf8, &untouched),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK(untouched);
    CHECK(connectly_status_tracker_status(tracker, "m3") == NULL);
    CHECK_STATUS(connectly_status_tracker_advance(tracker, "m3", "sent", NULL), CONNECTLY_OK);
    status = connectly_status_tracker_status(tracker, "m3");
    CHECK_STR(status, "sent");
    connectly_string_free(status);
    CHECK(connectly_status_tracker_status(NULL, "m1") == NULL);
    CHECK(connectly_status_tracker_status(tracker, NULL) == NULL);
    CHECK(connectly_status_tracker_status(tracker, not_utf8) == NULL);
    connectly_string_free(NULL);
    connectly_status_tracker_free(NULL);
    connectly_status_tracker_free(tracker);
}

#define TRACKER_THREADS 4
#define TRACKER_IDS 50

struct tracker_run {
    connectly_status_tracker *tracker;
    int order;
    int read_forward[TRACKER_IDS];
    int forwards[TRACKER_IDS];
    int failures;
};

static void *advance_all(void *arg) {
    static const char *const orders[TRACKER_THREADS][3] = {
        {"sent", "delivered", "read"},
        {"read", "delivered", "sent"},
        {"delivered", "read", "sent"},
        {"sent", "read", "delivered"},
    };
    struct tracker_run *run = arg;
    char id[32];
    int i, k;
    for (i = 0; i < TRACKER_IDS; i++) {
        snprintf(id, sizeof id, "id-%d", i);
        for (k = 0; k < 3; k++) {
            bool forward = false;
            const char *status = orders[run->order][k];
            if (connectly_status_tracker_advance(run->tracker, id, status, &forward) !=
                CONNECTLY_OK)
                run->failures++;
            run->forwards[i] += forward;
            if (forward && strcmp(status, "read") == 0) run->read_forward[i]++;
        }
    }
    return NULL;
}

/* Threads advancing the same messages in different orders: each ends at read, read is
 * recorded once per message, and no status moves a message more than once. */
void test_status_tracker_threads(void) {
    connectly_status_tracker *tracker = connectly_status_tracker_new();
    struct tracker_run runs[TRACKER_THREADS];
    pthread_t threads[TRACKER_THREADS];
    int i, t;

    for (t = 0; t < TRACKER_THREADS; t++) {
        memset(&runs[t], 0, sizeof runs[t]);
        runs[t].tracker = tracker;
        runs[t].order = t;
        CHECK(pthread_create(&threads[t], NULL, advance_all, &runs[t]) == 0);
    }
    for (t = 0; t < TRACKER_THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    for (i = 0; i < TRACKER_IDS; i++) {
        char id[32], *status;
        int reads = 0, forwards = 0;
        for (t = 0; t < TRACKER_THREADS; t++) {
            reads += runs[t].read_forward[i];
            forwards += runs[t].forwards[i];
        }
        CHECK(reads == 1);
        CHECK(forwards >= 1 && forwards <= 3);
        snprintf(id, sizeof id, "id-%d", i);
        status = connectly_status_tracker_status(tracker, id);
        CHECK_STR(status, "read");
        connectly_string_free(status);
    }
    for (t = 0; t < TRACKER_THREADS; t++) CHECK(runs[t].failures == 0);
    connectly_status_tracker_free(tracker);
}
