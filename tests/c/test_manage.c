/* Managing the account against the mock: webhook registrations (create with a type and
 * configuration, list, update, delete, upsert in both of the provider's modes), the template
 * list, and campaigns; NULL in every pointer position. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "suite.h"

#define TO "+15555555555"

static void set_conflicts(int enabled) {
    CHECK(mock_control("POST", "/_mock/webhook_conflicts",
                       enabled ? "{\"enabled\":true}" : "{\"enabled\":false}", NULL) == 200);
}

/* The index of the registration of `topic` in `list`, or -1. */
static long find_topic(const connectly_webhook_list *list, const char *topic) {
    size_t i;
    for (i = 0; i < connectly_webhook_list_len(list); i++) {
        const char *t = connectly_webhook_list_topic(list, i);
        if (t != NULL && strcmp(t, topic) == 0) return (long)i;
    }
    return -1;
}

/* Removes every registration, so the test starts from none. */
static void delete_all(connectly_client *client) {
    connectly_webhook_list *list = NULL;
    size_t i;
    CHECK_STATUS(connectly_list_webhooks(client, &list), CONNECTLY_OK);
    for (i = 0; i < connectly_webhook_list_len(list); i++) {
        CHECK_STATUS(connectly_delete_webhook(client, connectly_webhook_list_id(list, i), NULL),
                     CONNECTLY_OK);
    }
    connectly_webhook_list_free(list);
}

/* The methods of the requests recorded since the last reset, joined: "POST GET PUT". */
static void check_methods(const char *want) {
    struct json *requests = mock_requests();
    char got[128] = "";
    size_t i;
    for (i = 0; requests != NULL && i < requests->count; i++) {
        const char *method = json_get_string(&requests->items[i], "method");
        if (i > 0) strncat(got, " ", sizeof got - strlen(got) - 1);
        strncat(got, method ? method : "?", sizeof got - strlen(got) - 1);
    }
    CHECK_STR(got, want);
    json_free(requests);
}

void test_webhook_management(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_webhook_list *list = NULL;
    connectly_response *response = NULL;
    char messages_id[128], status_id[128];
    long at;

    set_conflicts(0);
    delete_all(client);
    CHECK_STATUS(connectly_list_webhooks(client, &list), CONNECTLY_OK);
    CHECK(connectly_webhook_list_len(list) == 0);
    connectly_webhook_list_free(list);

    /* Create with a type and a configuration; the exact body. */
    mock_reset();
    CHECK_STATUS(connectly_create_webhook_with(client, "https://example.com/messages", "messages",
                                               "custom",
                                               "{\"echo\":false,\"channelTypes\":[\"whatsapp\"]}",
                                               &response),
                 CONNECTLY_OK);
    CHECK(connectly_response_status(response) == 200);
    connectly_response_free(response);
    response = NULL;
    {
        struct json *requests = mock_requests();
        CHECK(requests != NULL && requests->count == 1);
        if (requests != NULL && requests->count == 1) {
            CHECK(request_body_is(&requests->items[0],
                                  "{\"topic\":\"messages\",\"address\":\"https://example.com/messages\","
                                  "\"type\":\"custom\",\"configuration\":{\"echo\":false,"
                                  "\"channelTypes\":[\"whatsapp\"]}}"));
        }
        json_free(requests);
    }
    CHECK_STATUS(connectly_create_webhook_with(client, "https://example.com/statuses",
                                               "delivery_status", NULL, NULL, NULL),
                 CONNECTLY_OK);

    /* Listed, typed, with the raw JSON. */
    CHECK_STATUS(connectly_list_webhooks(client, &list), CONNECTLY_OK);
    CHECK(connectly_webhook_list_len(list) == 2);
    at = find_topic(list, "messages");
    CHECK(at >= 0);
    if (at >= 0) {
        size_t i = (size_t)at;
        CHECK_STR(connectly_webhook_list_address(list, i), "https://example.com/messages");
        CHECK(json_text_equal(connectly_webhook_list_configuration_json(list, i),
                              "{\"channelTypes\":[\"whatsapp\"],\"echo\":false}"));
        CHECK(connectly_webhook_list_id(list, i) != NULL);
        snprintf(messages_id, sizeof messages_id, "%s", connectly_webhook_list_id(list, i));
        CHECK_CONTAINS(connectly_webhook_list_raw_json(list, i), messages_id);
    }
    at = find_topic(list, "delivery_status");
    CHECK(at >= 0);
    if (at >= 0) {
        size_t i = (size_t)at;
        CHECK_STR(connectly_webhook_list_address(list, i), "https://example.com/statuses");
        /* The mock lists an empty configuration for one registered without. */
        CHECK(json_text_equal(connectly_webhook_list_configuration_json(list, i), "{}"));
        snprintf(status_id, sizeof status_id, "%s", connectly_webhook_list_id(list, i));
    }
    /* Out of range: NULL. */
    CHECK(connectly_webhook_list_id(list, 2) == NULL);
    CHECK(connectly_webhook_list_topic(list, 2) == NULL);
    CHECK(connectly_webhook_list_address(list, 2) == NULL);
    CHECK(connectly_webhook_list_configuration_json(list, 2) == NULL);
    CHECK(connectly_webhook_list_raw_json(list, 2) == NULL);
    connectly_webhook_list_free(list);
    list = NULL;

    /* Update the address, then the configuration: only the given field changes. */
    mock_reset();
    CHECK_STATUS(connectly_update_webhook(client, messages_id, "https://example.com/moved", NULL,
                                          &response),
                 CONNECTLY_OK);
    CHECK_CONTAINS(connectly_response_body(response), "https://example.com/moved");
    connectly_response_free(response);
    response = NULL;
    CHECK_STATUS(connectly_update_webhook(client, messages_id, NULL, "{\"echo\":true}", NULL),
                 CONNECTLY_OK);
    check_methods("PUT PUT");
    CHECK_STATUS(connectly_list_webhooks(client, &list), CONNECTLY_OK);
    at = find_topic(list, "messages");
    if (at >= 0) {
        CHECK_STR(connectly_webhook_list_address(list, (size_t)at), "https://example.com/moved");
        CHECK(json_text_equal(connectly_webhook_list_configuration_json(list, (size_t)at),
                              "{\"echo\":true}"));
    }
    connectly_webhook_list_free(list);
    list = NULL;
    /* An update that changes nothing is refused; an unknown id is the API's 404. */
    mock_reset();
    CHECK_STATUS(connectly_update_webhook(client, messages_id, NULL, NULL, NULL),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid webhook update: ");
    CHECK_STATUS(connectly_update_webhook(client, messages_id, NULL, "{\"echo\":", NULL),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid configuration: ");
    CHECK_STATUS(connectly_update_webhook(client, messages_id, NULL, "[1]", NULL),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid configuration: ");
    CHECK(mock_request_count() == 0);
    CHECK_STATUS(connectly_update_webhook(client, "wh_unknown", "https://example.com/x", NULL,
                                          &response),
                 CONNECTLY_ERROR_API);
    CHECK(connectly_last_error_http_status() == 404);
    CHECK(response == NULL);

    /* Upsert where a second registration replaces the first: one request, the create. */
    mock_reset();
    CHECK_STATUS(connectly_upsert_webhook(client, "https://example.com/upsert-1", "messages", NULL,
                                          &response),
                 CONNECTLY_OK);
    connectly_response_free(response);
    response = NULL;
    check_methods("POST");
    CHECK_STATUS(connectly_list_webhooks(client, &list), CONNECTLY_OK);
    CHECK(connectly_webhook_list_len(list) == 2);
    at = find_topic(list, "messages");
    if (at >= 0) {
        CHECK_STR(connectly_webhook_list_address(list, (size_t)at), "https://example.com/upsert-1");
        snprintf(messages_id, sizeof messages_id, "%s",
                 connectly_webhook_list_id(list, (size_t)at));
    }
    connectly_webhook_list_free(list);
    list = NULL;

    /* Where it is answered 409: a plain create fails; upsert lists and updates. */
    set_conflicts(1);
    mock_reset();
    CHECK_STATUS(connectly_create_webhook_with(client, "https://example.com/again", "messages", NULL,
                                               NULL, &response),
                 CONNECTLY_ERROR_API);
    CHECK(connectly_last_error_http_status() == 409);
    mock_reset();
    CHECK_STATUS(connectly_upsert_webhook(client, "https://example.com/upsert-2", "messages",
                                          "{\"echo\":false}", &response),
                 CONNECTLY_OK);
    CHECK(connectly_response_status(response) == 200);
    connectly_response_free(response);
    response = NULL;
    check_methods("POST GET PUT");
    CHECK_STATUS(connectly_list_webhooks(client, &list), CONNECTLY_OK);
    CHECK(connectly_webhook_list_len(list) == 2);
    at = find_topic(list, "messages");
    if (at >= 0) {
        CHECK_STR(connectly_webhook_list_address(list, (size_t)at), "https://example.com/upsert-2");
        CHECK_STR(connectly_webhook_list_id(list, (size_t)at), messages_id);
        CHECK(json_text_equal(connectly_webhook_list_configuration_json(list, (size_t)at),
                              "{\"echo\":false}"));
    }
    connectly_webhook_list_free(list);
    list = NULL;

    /* Delete: gone from the list; again, the API's 404; a blank id is refused. */
    CHECK_STATUS(connectly_delete_webhook(client, status_id, &response), CONNECTLY_OK);
    CHECK(connectly_response_status(response) == 200);
    connectly_response_free(response);
    response = NULL;
    CHECK_STATUS(connectly_delete_webhook(client, status_id, NULL), CONNECTLY_ERROR_API);
    CHECK(connectly_last_error_http_status() == 404);
    CHECK_STATUS(connectly_list_webhooks(client, &list), CONNECTLY_OK);
    CHECK(connectly_webhook_list_len(list) == 1);
    CHECK(find_topic(list, "delivery_status") == -1);
    connectly_webhook_list_free(list);
    list = NULL;
    /* With 409s on, upsert of a topic nobody registered is a plain create. */
    mock_reset();
    CHECK_STATUS(connectly_upsert_webhook(client, "https://example.com/statuses-2",
                                          "delivery_status", NULL, NULL),
                 CONNECTLY_OK);
    check_methods("POST");
    mock_reset();
    CHECK_STATUS(connectly_delete_webhook(client, " ", NULL), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid webhook id: ");
    CHECK_STATUS(connectly_create_webhook_with(client, "http://example.com/h", "messages", NULL,
                                               NULL, NULL),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid webhook address: ");
    CHECK_STATUS(connectly_create_webhook_with(client, "https://example.com/h", "messages", " ",
                                               NULL, NULL),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid webhook type: ");
    CHECK_STATUS(connectly_upsert_webhook(client, "https://example.com/h", "messages", "nope",
                                          NULL),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid configuration: ");
    CHECK(mock_request_count() == 0);

    set_conflicts(0);
    delete_all(client);
    connectly_client_free(client);
}

void test_templates_list(void) {
    static const struct {
        const char *name, *group, *language, *status, *category, *rejection, *raw_part;
    } want[] = {
        {"order_update", "tg_order_update", "en_US", "MESSAGE_TEMPLATE_STATUS_APPROVED", "UTILITY",
         NULL, "tpl_order_update_en_US"},
        {"order_update", "tg_order_update", "pt_BR", "MESSAGE_TEMPLATE_STATUS_PENDING", "UTILITY",
         NULL, "tpl_order_update_pt_BR"},
        {"summer_sale", "tg_summer_sale", "en", "MESSAGE_TEMPLATE_STATUS_REJECTED", "MARKETING",
         "PROMOTIONAL", "tpl_summer_sale_en"},
        {"account_alert", "tg_account_alert", "en", "MESSAGE_TEMPLATE_STATUS_REJECTED", "UTILITY",
         "INVALID_FORMAT", "tpl_account_alert_en"},
        {"welcome", "tg_welcome", "en", "MESSAGE_TEMPLATE_STATUS_APPROVED", "MARKETING", NULL,
         "tpl_welcome_en"},
    };
    connectly_client *client = mock_client(0, 5000);
    connectly_template_list *list = NULL;
    char *seeded = NULL;
    size_t i, n = sizeof want / sizeof want[0];

    /* The mock's default templates: every field typed, wherever the API put it. */
    CHECK(mock_control("GET", "/_mock/templates", NULL, &seeded) == 200);
    mock_reset();
    CHECK_STATUS(connectly_list_templates(client, &list), CONNECTLY_OK);
    check_methods("POST");
    CHECK(connectly_template_list_len(list) == n);
    for (i = 0; i < n && i < connectly_template_list_len(list); i++) {
        CHECK_STR(connectly_template_list_name(list, i), want[i].name);
        CHECK_STR(connectly_template_list_group(list, i), want[i].group);
        CHECK_STR(connectly_template_list_language(list, i), want[i].language);
        CHECK_STR(connectly_template_list_status(list, i), want[i].status);
        CHECK_STR(connectly_template_list_category(list, i), want[i].category);
        CHECK_OPT_STR(connectly_template_list_rejection_reason(list, i), want[i].rejection);
        CHECK_CONTAINS(connectly_template_list_raw_json(list, i), want[i].raw_part);
    }
    CHECK(connectly_template_list_name(list, n) == NULL);
    CHECK(connectly_template_list_group(list, n) == NULL);
    CHECK(connectly_template_list_language(list, n) == NULL);
    CHECK(connectly_template_list_status(list, n) == NULL);
    CHECK(connectly_template_list_category(list, n) == NULL);
    CHECK(connectly_template_list_rejection_reason(list, n) == NULL);
    CHECK(connectly_template_list_raw_json(list, n) == NULL);
    connectly_template_list_free(list);
    list = NULL;

    /* Seeded: a language given as a string, fields missing; then none at all. */
    CHECK(mock_control("POST", "/_mock/templates",
                       "[{\"id\":\"g1\",\"templates\":[{\"language\":\"de\",\"extra\":[1]}]},"
                       "{\"name\":\"empty\",\"templates\":[]}]",
                       NULL) == 200);
    CHECK_STATUS(connectly_list_templates(client, &list), CONNECTLY_OK);
    CHECK(connectly_template_list_len(list) == 1);
    CHECK(connectly_template_list_name(list, 0) == NULL);
    CHECK_STR(connectly_template_list_group(list, 0), "g1");
    CHECK_STR(connectly_template_list_language(list, 0), "de");
    CHECK(connectly_template_list_status(list, 0) == NULL);
    CHECK(connectly_template_list_category(list, 0) == NULL);
    CHECK(json_text_equal(connectly_template_list_raw_json(list, 0),
                          "{\"language\":\"de\",\"extra\":[1]}"));
    connectly_template_list_free(list);
    list = NULL;
    CHECK(mock_control("POST", "/_mock/templates", "[]", NULL) == 200);
    CHECK_STATUS(connectly_list_templates(client, &list), CONNECTLY_OK);
    CHECK(connectly_template_list_len(list) == 0);
    connectly_template_list_free(list);
    CHECK(seeded != NULL && mock_control("POST", "/_mock/templates", seeded, NULL) == 200);
    free(seeded);
    connectly_client_free(client);
}

void test_campaigns(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_campaign *campaign = connectly_campaign_new();
    connectly_campaign_result *sentinel = (connectly_campaign_result *)&client;
    connectly_campaign_result *result = NULL;
    const connectly_response *response;

    /* Two entries, every field; the mock rejects the second's client. */
    CHECK(campaign != NULL);
    CHECK_STATUS(connectly_campaign_set_variable(campaign, "name", "Ada"),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "no entry");
    CHECK_STATUS(connectly_campaign_add_entry(campaign, TO, "autumn"), CONNECTLY_OK);
    CHECK_STATUS(connectly_campaign_set_variable(campaign, "name", "Ada"), CONNECTLY_OK);
    CHECK_STATUS(connectly_campaign_set_variables_json(campaign, "{\"city\":\"Lisbon\"}"),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_campaign_set_version(campaign, "v2"), CONNECTLY_OK);
    CHECK_STATUS(connectly_campaign_set_sender(campaign, "+14151111234"), CONNECTLY_OK);
    CHECK_STATUS(connectly_campaign_set_scheduled_at(campaign, "2030-01-01T09:00:00Z"),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_campaign_add_entry(campaign, "bsuid: ", "autumn"), CONNECTLY_OK);
    mock_reset();
    CHECK_STATUS(connectly_send_campaign(client, campaign, &result), CONNECTLY_OK);
    CHECK(connectly_campaign_result_accepted(result) == 1);
    CHECK(connectly_campaign_result_rejected(result) == 1);
    CHECK(connectly_campaign_result_error_json(result) == NULL);
    response = connectly_campaign_result_response(result);
    CHECK(connectly_response_status(response) == 200);
    CHECK_CONTAINS(connectly_response_body(response), "acceptedCount");
    connectly_campaign_result_free(result);
    result = NULL;
    {
        struct json *requests = mock_requests();
        CHECK(requests != NULL && requests->count == 1);
        if (requests != NULL && requests->count == 1) {
            CHECK_CONTAINS(json_get_string(&requests->items[0], "path"), "/send/campaigns");
            CHECK(request_body_is(&requests->items[0],
                                  "{\"entries\":[{\"client\":\"" TO "\",\"campaignName\":\"autumn\","
                                  "\"campaignVersion\":\"v2\",\"variables\":{\"name\":\"Ada\","
                                  "\"city\":\"Lisbon\"},\"sender\":\"+14151111234\","
                                  "\"scheduledAt\":\"2030-01-01T09:00:00Z\"},"
                                  "{\"client\":\"bsuid: \",\"campaignName\":\"autumn\"}]}"));
        }
        json_free(requests);
    }
    connectly_campaign_free(campaign);

    /* A reply without counts, and one with an error. */
    campaign = connectly_campaign_new();
    CHECK_STATUS(connectly_campaign_add_entry(campaign, TO, "autumn"), CONNECTLY_OK);
    CHECK(mock_control("POST", "/_mock/fail", "[{\"status\":200,\"body\":\"{}\"}]", NULL) == 200);
    CHECK_STATUS(connectly_send_campaign(client, campaign, &result), CONNECTLY_OK);
    CHECK(connectly_campaign_result_accepted(result) == -1);
    CHECK(connectly_campaign_result_rejected(result) == -1);
    CHECK(connectly_campaign_result_error_json(result) == NULL);
    CHECK_STR(connectly_response_body(connectly_campaign_result_response(result)), "{}");
    connectly_campaign_result_free(result);
    result = NULL;
    CHECK(mock_control("POST", "/_mock/fail",
                       "[{\"status\":200,\"body\":\"{\\\"data\\\":[{\\\"acceptedCount\\\":0,"
                       "\\\"rejectedCount\\\":1,\\\"error\\\":{\\\"code\\\":\\\"X\\\"}}]}\"}]",
                       NULL) == 200);
    CHECK_STATUS(connectly_send_campaign(client, campaign, &result), CONNECTLY_OK);
    CHECK(connectly_campaign_result_accepted(result) == 0);
    CHECK(connectly_campaign_result_rejected(result) == 1);
    CHECK(json_text_equal(connectly_campaign_result_error_json(result), "{\"code\":\"X\"}"));
    connectly_campaign_result_free(result);
    result = NULL;
    /* The result is optional. */
    CHECK_STATUS(connectly_send_campaign(client, campaign, NULL), CONNECTLY_OK);

    /* A campaign that is not published: the API's 409, no result. */
    CHECK(mock_control("POST", "/_mock/unpublished_campaigns", "[\"autumn\"]", NULL) == 200);
    result = sentinel;
    CHECK_STATUS(connectly_send_campaign(client, campaign, &result), CONNECTLY_ERROR_API);
    CHECK(connectly_last_error_http_status() == 409);
    CHECK(connectly_last_error_code() != NULL);
    CHECK(result == sentinel);
    CHECK(mock_control("POST", "/_mock/unpublished_campaigns", "[]", NULL) == 200);
    connectly_campaign_free(campaign);

    /* Refused before sending: no entries, variables that are not strings or not JSON. */
    mock_reset();
    campaign = connectly_campaign_new();
    CHECK_STATUS(connectly_send_campaign(client, campaign, &result), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid campaign entries: ");
    CHECK_STATUS(connectly_campaign_add_entry(campaign, TO, "autumn"), CONNECTLY_OK);
    CHECK_STATUS(connectly_campaign_set_variables_json(campaign, "{\"n\":"),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid variables: ");
    CHECK_STATUS(connectly_campaign_set_variables_json(campaign, "{\"n\":1}"), CONNECTLY_OK);
    CHECK_STATUS(connectly_send_campaign(client, campaign, &result), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_last_error_message(), "invalid variables: ");
    CHECK(result == sentinel);
    CHECK(mock_request_count() == 0);
    connectly_campaign_free(campaign);

    /* Getters and frees take NULL. */
    CHECK(connectly_campaign_result_accepted(NULL) == -1);
    CHECK(connectly_campaign_result_rejected(NULL) == -1);
    CHECK(connectly_campaign_result_error_json(NULL) == NULL);
    CHECK(connectly_campaign_result_response(NULL) == NULL);
    connectly_campaign_result_free(NULL);
    connectly_campaign_free(NULL);
    mock_reset();
    connectly_client_free(client);
}

/* Each pointer position, NULL in turn: CONNECTLY_ERROR_NULL_ARGUMENT with the argument named. */
#define EXPECT_NULL(call, name)                                              \
    do {                                                                     \
        CHECK_STATUS(call, CONNECTLY_ERROR_NULL_ARGUMENT);                   \
        CHECK_CONTAINS(connectly_last_error_message(), "`" name "`");        \
    } while (0)

void test_manage_null(void) {
    static const char not_utf8[] = {'a', (char)0xff, 0};
    connectly_client *client = mock_client(0, 5000);
    connectly_campaign *campaign = connectly_campaign_new();
    connectly_response *sentinel = (connectly_response *)&client, *response = sentinel;
    connectly_webhook_list *sentinel_list = (connectly_webhook_list *)&client;
    connectly_webhook_list *webhooks = sentinel_list;
    connectly_template_list *sentinel_templates = (connectly_template_list *)&client;
    connectly_template_list *templates = sentinel_templates;
    const char *h = "https://example.com/h";

    mock_reset();
    EXPECT_NULL(connectly_create_webhook_with(NULL, h, "messages", NULL, NULL, &response),
                "client");
    EXPECT_NULL(connectly_create_webhook_with(client, NULL, "messages", NULL, NULL, &response),
                "address");
    EXPECT_NULL(connectly_create_webhook_with(client, h, NULL, NULL, NULL, &response), "topic");
    EXPECT_NULL(connectly_update_webhook(NULL, "wh_1", h, NULL, &response), "client");
    EXPECT_NULL(connectly_update_webhook(client, NULL, h, NULL, &response), "webhook_id");
    EXPECT_NULL(connectly_delete_webhook(NULL, "wh_1", &response), "client");
    EXPECT_NULL(connectly_delete_webhook(client, NULL, &response), "webhook_id");
    EXPECT_NULL(connectly_upsert_webhook(NULL, h, "messages", NULL, &response), "client");
    EXPECT_NULL(connectly_upsert_webhook(client, NULL, "messages", NULL, &response), "address");
    EXPECT_NULL(connectly_upsert_webhook(client, h, NULL, NULL, &response), "topic");
    EXPECT_NULL(connectly_list_webhooks(NULL, &webhooks), "client");
    EXPECT_NULL(connectly_list_webhooks(client, NULL), "out");
    EXPECT_NULL(connectly_list_templates(NULL, &templates), "client");
    EXPECT_NULL(connectly_list_templates(client, NULL), "out");
    EXPECT_NULL(connectly_campaign_add_entry(NULL, TO, "autumn"), "campaign");
    EXPECT_NULL(connectly_campaign_add_entry(campaign, NULL, "autumn"), "client");
    EXPECT_NULL(connectly_campaign_add_entry(campaign, TO, NULL), "campaign_name");
    CHECK_STATUS(connectly_campaign_add_entry(campaign, TO, "autumn"), CONNECTLY_OK);
    EXPECT_NULL(connectly_campaign_set_variable(NULL, "n", "v"), "campaign");
    EXPECT_NULL(connectly_campaign_set_variable(campaign, NULL, "v"), "name");
    EXPECT_NULL(connectly_campaign_set_variable(campaign, "n", NULL), "value");
    EXPECT_NULL(connectly_campaign_set_variables_json(NULL, "{}"), "campaign");
    EXPECT_NULL(connectly_campaign_set_variables_json(campaign, NULL), "json");
    EXPECT_NULL(connectly_campaign_set_version(NULL, "v"), "campaign");
    EXPECT_NULL(connectly_campaign_set_version(campaign, NULL), "version");
    EXPECT_NULL(connectly_campaign_set_sender(NULL, TO), "campaign");
    EXPECT_NULL(connectly_campaign_set_sender(campaign, NULL), "sender");
    EXPECT_NULL(connectly_campaign_set_scheduled_at(NULL, "2030-01-01T09:00:00Z"), "campaign");
    EXPECT_NULL(connectly_campaign_set_scheduled_at(campaign, NULL), "iso8601");
    EXPECT_NULL(connectly_send_campaign(NULL, campaign, NULL), "client");
    EXPECT_NULL(connectly_send_campaign(client, NULL, NULL), "campaign");
    CHECK(response == sentinel && webhooks == sentinel_list && templates == sentinel_templates);

    /* Strings that are not UTF-8. */
    CHECK_STATUS(connectly_create_webhook_with(client, h, "messages", not_utf8, NULL, NULL),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_create_webhook_with(client, h, "messages", NULL, not_utf8, NULL),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_update_webhook(client, not_utf8, h, NULL, NULL),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_upsert_webhook(client, h, not_utf8, NULL, NULL),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_campaign_add_entry(campaign, not_utf8, "autumn"),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(connectly_campaign_set_sender(campaign, not_utf8),
                 CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK(mock_request_count() == 0);

    /* List getters and frees take NULL. */
    CHECK(connectly_webhook_list_len(NULL) == 0);
    CHECK(connectly_webhook_list_id(NULL, 0) == NULL);
    CHECK(connectly_webhook_list_topic(NULL, 0) == NULL);
    CHECK(connectly_webhook_list_address(NULL, 0) == NULL);
    CHECK(connectly_webhook_list_configuration_json(NULL, 0) == NULL);
    CHECK(connectly_webhook_list_raw_json(NULL, 0) == NULL);
    CHECK(connectly_template_list_len(NULL) == 0);
    CHECK(connectly_template_list_name(NULL, 0) == NULL);
    CHECK(connectly_template_list_group(NULL, 0) == NULL);
    CHECK(connectly_template_list_language(NULL, 0) == NULL);
    CHECK(connectly_template_list_status(NULL, 0) == NULL);
    CHECK(connectly_template_list_category(NULL, 0) == NULL);
    CHECK(connectly_template_list_rejection_reason(NULL, 0) == NULL);
    CHECK(connectly_template_list_raw_json(NULL, 0) == NULL);
    connectly_webhook_list_free(NULL);
    connectly_template_list_free(NULL);
    connectly_campaign_free(campaign);
    connectly_client_free(client);
}
