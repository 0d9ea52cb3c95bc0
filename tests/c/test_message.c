/* Operations: session messages of every kind and template messages with every field, built
 * with setters and sent, alone and in batches; NULL in every pointer position. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "suite.h"

#define TO "+15555555555"

static const char not_utf8[] = {'a', (char)0xff, 0};

/* The body of the one request the mock recorded since its last reset equals `want`. */
static void check_sent(const char *path, const char *want) {
    struct json *requests = mock_requests();
    int one = requests != NULL && requests->type == JSON_ARRAY && requests->count == 1;
    CHECK(one);
    if (one) {
        const char *got = json_get_string(&requests->items[0], "path");
        CHECK(got != NULL && strlen(got) >= strlen(path) &&
              strcmp(got + strlen(got) - strlen(path), path) == 0);
        CHECK(request_body_is(&requests->items[0], want));
    }
    json_free(requests);
}

/* Sends `m` to TO on WhatsApp and checks the one request's body. */
static void send_and_check(connectly_client *client, const connectly_message *m,
                           const char *want) {
    connectly_response *response = NULL;
    mock_reset();
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response), CONNECTLY_OK);
    CHECK(connectly_response_status(response) == 200);
    connectly_response_free(response);
    check_sent("/send/messages", want);
}

void test_message_kinds(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_message *m;

    /* A text with every envelope field. */
    m = connectly_message_new_text("Your order shipped");
    CHECK(m != NULL);
    CHECK_STATUS(connectly_message_set_id(m, "01FPW47QF69Y5JZH24605VAKQB"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_sender(m, "+14151111234"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_recipient_name(m, "Ada"), CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"sender\":{\"id\":\"+14151111234\",\"channelType\":\"whatsapp\"},"
                   "\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\",\"name\":\"Ada\"},"
                   "\"message\":{\"id\":\"01FPW47QF69Y5JZH24605VAKQB\",\"text\":\"Your order shipped\"}}");
    /* Sending does not change the handle: the same body again. */
    send_and_check(client, m,
                   "{\"sender\":{\"id\":\"+14151111234\",\"channelType\":\"whatsapp\"},"
                   "\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\",\"name\":\"Ada\"},"
                   "\"message\":{\"id\":\"01FPW47QF69Y5JZH24605VAKQB\",\"text\":\"Your order shipped\"}}");
    connectly_message_free(m);

    /* A document with caption and filename. */
    m = connectly_message_new();
    CHECK_STATUS(connectly_message_set_attachment(m, "document", "https://cdn.example.com/inv.pdf",
                                                  "invoice", "invoice-42.pdf"),
                 CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"attachments\":[{\"type\":\"document\",\"url\":\"https://cdn.example.com/inv.pdf\","
                   "\"caption\":\"invoice\",\"filename\":\"invoice-42.pdf\"}]}}");
    /* Each attachment type, caption and filename optional. */
    CHECK_STATUS(connectly_message_set_attachment(m, "image", "https://cdn.example.com/a.jpg",
                                                  NULL, NULL),
                 CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"attachments\":[{\"type\":\"image\",\"url\":\"https://cdn.example.com/a.jpg\"}]}}");
    CHECK_STATUS(connectly_message_set_attachment(m, "video", "https://cdn.example.com/v.mp4",
                                                  "clip", NULL),
                 CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"attachments\":[{\"type\":\"video\",\"url\":\"https://cdn.example.com/v.mp4\","
                   "\"caption\":\"clip\"}]}}");
    CHECK_STATUS(connectly_message_set_attachment(m, "audio", "https://cdn.example.com/a.ogg",
                                                  NULL, NULL),
                 CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"attachments\":[{\"type\":\"audio\",\"url\":\"https://cdn.example.com/a.ogg\"}]}}");
    connectly_message_free(m);

    /* A location. */
    m = connectly_message_new();
    CHECK_STATUS(connectly_message_set_location(m, 37.48, -122.15, "Connectly HQ", "1 Market St"),
                 CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"location\":{\"latitude\":37.48,\"longitude\":-122.15,\"name\":\"Connectly HQ\","
                   "\"address\":\"1 Market St\"}}}");
    connectly_message_free(m);

    /* A list: rows join the last section of their title; header and footer. */
    m = connectly_message_new_text("Pick a size");
    CHECK_STATUS(connectly_message_set_list_button(m, "View options"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_header(m, "Sizes"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_footer(m, "Prices include tax"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_add_list_row(m, "Pizza", "r1", "Small", "10 inch"),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_message_add_list_row(m, "Pizza", "r2", "Large", NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_add_list_row(m, "Drinks", "r3", "Cola", NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_add_list_section(m, "Drinks"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_add_list_row(m, "Drinks", "r4", "Water", NULL), CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"text\":\"Pick a size\",\"listMessage\":{\"header\":{\"text\":\"Sizes\"},"
                   "\"footer\":{\"text\":\"Prices include tax\"},\"button\":{\"text\":\"View options\"},"
                   "\"sections\":[{\"title\":\"Pizza\",\"rows\":[{\"id\":\"r1\",\"text\":\"Small\","
                   "\"description\":\"10 inch\"},{\"id\":\"r2\",\"text\":\"Large\"}]},"
                   "{\"title\":\"Drinks\",\"rows\":[{\"id\":\"r3\",\"text\":\"Cola\"}]},"
                   "{\"title\":\"Drinks\",\"rows\":[{\"id\":\"r4\",\"text\":\"Water\"}]}]}}}");
    /* The header and footer cleared. */
    CHECK_STATUS(connectly_message_set_header(m, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_footer(m, NULL), CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"text\":\"Pick a size\",\"listMessage\":{\"button\":{\"text\":\"View options\"},"
                   "\"sections\":[{\"title\":\"Pizza\",\"rows\":[{\"id\":\"r1\",\"text\":\"Small\","
                   "\"description\":\"10 inch\"},{\"id\":\"r2\",\"text\":\"Large\"}]},"
                   "{\"title\":\"Drinks\",\"rows\":[{\"id\":\"r3\",\"text\":\"Cola\"}]},"
                   "{\"title\":\"Drinks\",\"rows\":[{\"id\":\"r4\",\"text\":\"Water\"}]}]}}}");
    connectly_message_free(m);

    /* Reply buttons with a header and footer. */
    m = connectly_message_new_text("Confirm?");
    CHECK_STATUS(connectly_message_start_buttons(m), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_add_button(m, "b1", "Yes"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_add_button(m, "b2", "No"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_header(m, "Order 42"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_footer(m, "Reply in 24 h"), CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"text\":\"Confirm?\",\"replyButtonMessage\":{\"header\":{\"text\":\"Order 42\"},"
                   "\"footer\":{\"text\":\"Reply in 24 h\"},\"buttons\":[{\"id\":\"b1\",\"text\":\"Yes\"},"
                   "{\"id\":\"b2\",\"text\":\"No\"}]}}}");
    connectly_message_free(m);

    /* Products, passed through as JSON. */
    m = connectly_message_new();
    CHECK_STATUS(connectly_message_set_product_json(
                     m, false, "{\"catalogId\":\"c1\",\"productRetailerId\":\"p1\"}"),
                 CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"singleProductMessage\":{\"catalogId\":\"c1\",\"productRetailerId\":\"p1\"}}}");
    CHECK_STATUS(connectly_message_set_product_json(m, true, "{\"catalogId\":\"c1\"}"),
                 CONNECTLY_OK);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},\"message\":"
                   "{\"multiProductMessage\":{\"catalogId\":\"c1\"}}}");
    connectly_message_free(m);

    /* Another channel. */
    m = connectly_message_new_text("via sms");
    mock_reset();
    CHECK_STATUS(connectly_send_message(client, "sms", TO, m, NULL), CONNECTLY_OK);
    check_sent("/send/messages", "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"sms\"},"
                                 "\"message\":{\"text\":\"via sms\"}}");
    connectly_message_free(m);
    connectly_client_free(client);
}

void test_message_setters(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_response *sentinel = (connectly_response *)&client, *response = sentinel;
    connectly_message *m;

    mock_reset();
    /* Refused when sent, by the core's rules: nothing goes out, `out` is not written. */
    m = connectly_message_new_text("look");
    CHECK_STATUS(connectly_message_set_attachment(m, "image", "https://cdn.example.com/a.jpg", NULL,
                                                  NULL),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid message: ");
    CHECK_STATUS(connectly_message_set_text(m, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_location(m, 1.5, 2.5, NULL, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid message: ");
    connectly_message_free(m);
    m = connectly_message_new();
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid message: ");
    CHECK_STATUS(connectly_message_set_location(m, 91.0, 0.0, NULL, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid location latitude: ");
    CHECK_STR(connectly_last_error_field(), "location latitude");
    connectly_message_free(m);
    /* Buttons started but none added; a list with rows but no button. */
    m = connectly_message_new_text("pick");
    CHECK_STATUS(connectly_message_start_buttons(m), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid buttons: ");
    connectly_message_free(m);
    m = connectly_message_new_text("pick");
    CHECK_STATUS(connectly_message_add_list_row(m, "A", "r1", "One", NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid list button: ");
    connectly_message_free(m);
    /* A header with neither a list nor buttons has nowhere to go. */
    m = connectly_message_new_text("hi");
    CHECK_STATUS(connectly_message_set_header(m, "H"), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "header or footer");
    CHECK(connectly_last_error_field() == NULL);
    CHECK_STATUS(connectly_message_set_header(m, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_footer(m, "F"), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    connectly_message_free(m);
    /* The recipient is checked too. */
    m = connectly_message_new_text("hi");
    CHECK_STATUS(connectly_send_message(client, "whatsapp", "+1", m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid recipient id: ");
    CHECK_STATUS(connectly_send_message(client, "", TO, m, &response), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid channel: ");
    CHECK_STATUS(connectly_message_set_recipient_name(m, " "), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, &response),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid recipient name: ");
    CHECK(response == sentinel);
    CHECK(mock_request_count() == 0);
    connectly_message_free(m);

    /* Setters refuse what they cannot store, and leave the message as it was. */
    m = connectly_message_new_text("kept");
    CHECK_STATUS(connectly_message_set_attachment(m, "sticker", "https://cdn.example.com/a.webp",
                                                  NULL, NULL),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid attachment type: ");
    CHECK_STR(connectly_last_error_field(), "attachment type");
    CHECK_STATUS(connectly_message_set_product_json(m, false, "{not json"),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid product: ");
    CHECK_STR(connectly_last_error_field(), "product");
    CHECK(strstr(connectly_last_error_message(), "not json") == NULL);
    CHECK_STATUS(connectly_message_set_text(m, not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "`text` is not valid UTF-8");
    CHECK(connectly_last_error_field() == NULL);
    CHECK_STATUS(connectly_message_set_id(m, not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_set_sender(m, not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_set_recipient_name(m, not_utf8),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_set_attachment(m, "image", not_utf8, NULL, NULL),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_set_location(m, 1.0, 1.0, not_utf8, NULL),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_set_list_button(m, not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_add_list_section(m, not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_add_list_row(m, "A", "r1", "One", not_utf8),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_add_button(m, "b1", not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_set_header(m, not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_message_set_footer(m, not_utf8), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_send_message(client, not_utf8, TO, m, NULL),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    send_and_check(client, m,
                   "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\"},"
                   "\"message\":{\"text\":\"kept\"}}");
    connectly_message_free(m);
    CHECK(connectly_message_new_text(not_utf8) == NULL);
    CHECK_CONTAINS(connectly_last_error_message(), "`text` is not valid UTF-8");
    /* A success clears the thread's last error. */
    m = connectly_message_new_text("x");
    CHECK(m != NULL);
    CHECK_STR(connectly_last_error_message(), "");
    connectly_message_free(m);
    connectly_client_free(client);
}

void test_template_message(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_response *response = NULL;
    connectly_template_message *t;
    char big[1100];

    t = connectly_template_message_new(TO, "order_update");
    CHECK(t != NULL);
    CHECK_STATUS(connectly_template_message_add_param(t, "body_1", "Ada"), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_add_param(t, "body_2", "42"), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_set_language(t, "en_US"), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_set_sender(t, "+14151111234"), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_set_callback_data_json(t, "{\"orderId\": 42}"),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_set_campaign_name(t, "autumn"), CONNECTLY_OK);
    mock_reset();
    CHECK_STATUS(connectly_send_template_message(client, t, &response), CONNECTLY_OK);
    CHECK(connectly_response_status(response) == 200);
    CHECK(connectly_response_trace_id(response) != NULL);
    connectly_response_free(response);
    response = NULL;
    check_sent("/send/whatsapp_templated_messages",
               "{\"number\":\"" TO "\",\"templateName\":\"order_update\",\"parameters\":["
               "{\"name\":\"body_1\",\"value\":\"Ada\"},{\"name\":\"body_2\",\"value\":\"42\"}],"
               "\"language\":\"en_US\",\"sender\":\"+14151111234\",\"callbackData\":{\"orderId\":42},"
               "\"campaignName\":\"autumn\"}");
    /* A setting given again replaces the first; the response may be unwanted. */
    CHECK_STATUS(connectly_template_message_set_language(t, "pt_BR"), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_set_callback_data_json(t, "\"order-42\""),
                 CONNECTLY_OK);
    mock_reset();
    CHECK_STATUS(connectly_send_template_message(client, t, NULL), CONNECTLY_OK);
    check_sent("/send/whatsapp_templated_messages",
               "{\"number\":\"" TO "\",\"templateName\":\"order_update\",\"parameters\":["
               "{\"name\":\"body_1\",\"value\":\"Ada\"},{\"name\":\"body_2\",\"value\":\"42\"}],"
               "\"language\":\"pt_BR\",\"sender\":\"+14151111234\",\"callbackData\":\"order-42\","
               "\"campaignName\":\"autumn\"}");

    /* Refusals: text that is not JSON (at the setter, the template unchanged), callback data
     * over 1024 bytes and a repeated parameter (when sent). */
    CHECK_STATUS(connectly_template_message_set_callback_data_json(t, "{\"a\":"),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid callback data: ");
    memset(big, 'x', sizeof big);
    big[0] = '"';
    big[1024] = '"';
    big[1025] = 0;
    CHECK_STATUS(connectly_template_message_set_callback_data_json(t, big), CONNECTLY_OK);
    mock_reset();
    CHECK_STATUS(connectly_send_template_message(client, t, NULL), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid callback data: ");
    big[1023] = '"';
    big[1024] = 0;
    CHECK_STATUS(connectly_template_message_set_callback_data_json(t, big), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_add_param(t, "body_1", "again"), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_template_message(client, t, NULL), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid template parameter name: ");
    CHECK(mock_request_count() == 0);
    connectly_template_message_free(t);

    t = connectly_template_message_new("+12", "order_update");
    CHECK_STATUS(connectly_send_template_message(client, t, NULL), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid number: ");
    CHECK_STATUS(connectly_template_message_add_param(t, not_utf8, "v"),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_template_message_set_language(t, not_utf8),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_template_message_set_sender(t, not_utf8),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_template_message_set_campaign_name(t, not_utf8),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_template_message_set_callback_data_json(t, not_utf8),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    connectly_template_message_free(t);
    CHECK(connectly_template_message_new(TO, not_utf8) == NULL);
    CHECK_CONTAINS(connectly_last_error_message(), "`template_name` is not valid UTF-8");
    CHECK(mock_request_count() == 0);
    connectly_client_free(client);
}

void test_send_many_operations(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_message *photo = connectly_message_new(), *twice = connectly_message_new_text("t");
    connectly_template_message *order = connectly_template_message_new(TO, "order_update");
    connectly_bulk_item items[5];
    connectly_bulk_options options;
    connectly_batch *batch = NULL;
    struct json *requests;

    CHECK_STATUS(connectly_message_set_attachment(photo, "image", "https://cdn.example.com/a.jpg",
                                                  "receipt", NULL),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_recipient_name(photo, "Ada"), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_location(twice, 1.0, 2.0, NULL, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_set_language(order, "en"), CONNECTLY_OK);
    CHECK_STATUS(connectly_template_message_set_callback_data_json(order, "[1]"), CONNECTLY_OK);
    memset(items, 0, sizeof items);
    memset(&options, 0, sizeof options);
    options.concurrency = 1;
    items[0].kind = CONNECTLY_BULK_MESSAGE;
    items[0].channel = "whatsapp";
    items[0].to = TO;
    items[0].message = photo;
    items[1].kind = CONNECTLY_BULK_TEMPLATE_MESSAGE;
    items[1].template_message = order;
    items[2].kind = CONNECTLY_BULK_MESSAGE;
    items[2].channel = "whatsapp";
    items[2].to = TO;
    items[2].message = twice; /* a text and a location: refused in its slot */
    items[3].kind = CONNECTLY_BULK_MESSAGE;
    items[3].channel = "whatsapp";
    items[3].to = TO; /* no message handle */
    items[4].kind = CONNECTLY_BULK_TEMPLATE_MESSAGE; /* no template handle */
    mock_reset();
    CHECK_STATUS(connectly_send_many(client, items, 5, &options, &batch), CONNECTLY_OK);
    CHECK_STATUS(connectly_batch_status(batch, 0), CONNECTLY_OK);
    CHECK_STATUS(connectly_batch_status(batch, 1), CONNECTLY_OK);
    CHECK_STATUS(connectly_batch_status(batch, 2), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_batch_error_message(batch, 2), "invalid message: ");
    CHECK_STATUS(connectly_batch_status(batch, 3), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_batch_error_message(batch, 3), "`messages[].message`");
    CHECK_STATUS(connectly_batch_status(batch, 4), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_batch_error_message(batch, 4), "`messages[].template_message`");
    connectly_batch_free(batch);
    requests = mock_requests();
    CHECK(requests != NULL && requests->count == 2);
    if (requests != NULL && requests->count == 2) {
        /* Concurrency 1: in input order. */
        CHECK(request_body_is(&requests->items[0],
                              "{\"recipient\":{\"id\":\"" TO "\",\"channelType\":\"whatsapp\","
                              "\"name\":\"Ada\"},\"message\":{\"attachments\":[{\"type\":\"image\","
                              "\"url\":\"https://cdn.example.com/a.jpg\",\"caption\":\"receipt\"}]}}"));
        CHECK(request_body_is(&requests->items[1],
                              "{\"number\":\"" TO "\",\"templateName\":\"order_update\","
                              "\"parameters\":[],\"language\":\"en\",\"callbackData\":[1]}"));
    }
    json_free(requests);
    connectly_message_free(photo);
    connectly_message_free(twice);
    connectly_template_message_free(order);
    connectly_client_free(client);
}

/* Each pointer position, NULL in turn: CONNECTLY_ERROR_NULL_ARGUMENT with the argument named. */
#define EXPECT_NULL(call, name)                                              \
    do {                                                                     \
        CHECK_STATUS(call, CONNECTLY_ERROR_NULL_ARGUMENT);                   \
        CHECK_CONTAINS(connectly_last_error_message(), "`" name "`");        \
        CHECK(connectly_last_error_field() == NULL);                         \
    } while (0)

void test_operations_null(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_message *m = connectly_message_new_text("hi");
    connectly_template_message *t = connectly_template_message_new(TO, "welcome");
    connectly_response *sentinel = (connectly_response *)&client, *response = sentinel;

    mock_reset();
    EXPECT_NULL(connectly_message_set_text(NULL, "x"), "message");
    EXPECT_NULL(connectly_message_set_id(NULL, "x"), "message");
    EXPECT_NULL(connectly_message_set_sender(NULL, "x"), "message");
    EXPECT_NULL(connectly_message_set_recipient_name(NULL, "x"), "message");
    EXPECT_NULL(connectly_message_set_attachment(NULL, "image", "https://a.example/a.jpg", NULL,
                                                 NULL),
                "message");
    EXPECT_NULL(connectly_message_set_attachment(m, NULL, "https://a.example/a.jpg", NULL, NULL),
                "type");
    EXPECT_NULL(connectly_message_set_attachment(m, "image", NULL, NULL, NULL), "url");
    EXPECT_NULL(connectly_message_set_location(NULL, 1.0, 1.0, NULL, NULL), "message");
    EXPECT_NULL(connectly_message_set_list_button(NULL, "Open"), "message");
    EXPECT_NULL(connectly_message_set_list_button(m, NULL), "button");
    EXPECT_NULL(connectly_message_add_list_section(NULL, "A"), "message");
    EXPECT_NULL(connectly_message_add_list_section(m, NULL), "section_title");
    EXPECT_NULL(connectly_message_add_list_row(NULL, "A", "r", "R", NULL), "message");
    EXPECT_NULL(connectly_message_add_list_row(m, NULL, "r", "R", NULL), "section_title");
    EXPECT_NULL(connectly_message_add_list_row(m, "A", NULL, "R", NULL), "id");
    EXPECT_NULL(connectly_message_add_list_row(m, "A", "r", NULL, NULL), "text");
    EXPECT_NULL(connectly_message_start_buttons(NULL), "message");
    EXPECT_NULL(connectly_message_add_button(NULL, "b", "B"), "message");
    EXPECT_NULL(connectly_message_add_button(m, NULL, "B"), "id");
    EXPECT_NULL(connectly_message_add_button(m, "b", NULL), "text");
    EXPECT_NULL(connectly_message_set_header(NULL, "H"), "message");
    EXPECT_NULL(connectly_message_set_footer(NULL, "F"), "message");
    EXPECT_NULL(connectly_message_set_product_json(NULL, false, "{}"), "message");
    EXPECT_NULL(connectly_message_set_product_json(m, false, NULL), "json");
    EXPECT_NULL(connectly_send_message(NULL, "whatsapp", TO, m, &response), "client");
    EXPECT_NULL(connectly_send_message(client, NULL, TO, m, &response), "channel");
    EXPECT_NULL(connectly_send_message(client, "whatsapp", NULL, m, &response), "to");
    EXPECT_NULL(connectly_send_message(client, "whatsapp", TO, NULL, &response), "message");
    CHECK(connectly_message_new_text(NULL) == NULL);
    CHECK_CONTAINS(connectly_last_error_message(), "`text`");

    EXPECT_NULL(connectly_template_message_add_param(NULL, "n", "v"), "template");
    EXPECT_NULL(connectly_template_message_add_param(t, NULL, "v"), "name");
    EXPECT_NULL(connectly_template_message_add_param(t, "n", NULL), "value");
    EXPECT_NULL(connectly_template_message_set_language(NULL, "en"), "template");
    EXPECT_NULL(connectly_template_message_set_language(t, NULL), "language");
    EXPECT_NULL(connectly_template_message_set_sender(NULL, TO), "template");
    EXPECT_NULL(connectly_template_message_set_sender(t, NULL), "sender");
    EXPECT_NULL(connectly_template_message_set_callback_data_json(NULL, "{}"), "template");
    EXPECT_NULL(connectly_template_message_set_callback_data_json(t, NULL), "json");
    EXPECT_NULL(connectly_template_message_set_campaign_name(NULL, "a"), "template");
    EXPECT_NULL(connectly_template_message_set_campaign_name(t, NULL), "name");
    EXPECT_NULL(connectly_send_template_message(NULL, t, &response), "client");
    EXPECT_NULL(connectly_send_template_message(client, NULL, &response), "message");
    CHECK(connectly_template_message_new(NULL, "welcome") == NULL);
    CHECK_CONTAINS(connectly_last_error_message(), "`number`");
    CHECK(connectly_template_message_new(TO, NULL) == NULL);
    CHECK_CONTAINS(connectly_last_error_message(), "`template_name`");
    CHECK(response == sentinel);
    CHECK(mock_request_count() == 0);

    /* The optional pointers: NULL clears, or is simply not given. */
    CHECK_STATUS(connectly_message_set_id(m, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_sender(m, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_message_set_recipient_name(m, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_message(client, "whatsapp", TO, m, NULL), CONNECTLY_OK);

    connectly_message_free(NULL);
    connectly_template_message_free(NULL);
    connectly_message_free(m);
    connectly_template_message_free(t);
    connectly_client_free(client);
}
