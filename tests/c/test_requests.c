/* requests.json: each row's call, built from handles and setters, against the mock: the
 * request it sends (method, path, body), or the validation field it refuses and nothing
 * sent. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "suite.h"
#include "vectors.h"

static int is(const struct req_step *step, const char *op) {
    return strcmp(step->op, op) == 0;
}

/* A setter the runner does not know: a generator and runner out of step. */
static connectly_status unknown_step(const struct req_vector *v, const struct req_step *step) {
    char what[256];
    snprintf(what, sizeof what, "row %s: unknown step %s", v->name, step->op);
    harness_fail(__FILE__, __LINE__, what);
    return CONNECTLY_ERROR_INTERNAL;
}

static connectly_status send_message_row(connectly_client *client, const struct req_vector *v) {
    connectly_message *m = connectly_message_new();
    const char *channel = NULL, *to = NULL;
    connectly_response *response = NULL;
    connectly_status status = CONNECTLY_OK;
    size_t i;
    for (i = 0; i < v->n_steps && status == CONNECTLY_OK; i++) {
        const struct req_step *st = &v->steps[i];
        const char *const *s = st->s;
        if (is(st, "recipient")) {
            channel = s[0];
            to = s[1];
        } else if (is(st, "recipient_name")) {
            status = connectly_message_set_recipient_name(m, s[0]);
        } else if (is(st, "sender")) {
            status = connectly_message_set_sender(m, s[0]);
        } else if (is(st, "id")) {
            status = connectly_message_set_id(m, s[0]);
        } else if (is(st, "text")) {
            status = connectly_message_set_text(m, s[0]);
        } else if (is(st, "attachment")) {
            status = connectly_message_set_attachment(m, s[0], s[1], s[2], s[3]);
        } else if (is(st, "location")) {
            status = connectly_message_set_location(m, st->d[0], st->d[1], s[0], s[1]);
        } else if (is(st, "list_button")) {
            status = connectly_message_set_list_button(m, s[0]);
        } else if (is(st, "list_section")) {
            status = connectly_message_add_list_section(m, s[0]);
        } else if (is(st, "list_row")) {
            status = connectly_message_add_list_row(m, s[0], s[1], s[2], s[3]);
        } else if (is(st, "header")) {
            status = connectly_message_set_header(m, s[0]);
        } else if (is(st, "footer")) {
            status = connectly_message_set_footer(m, s[0]);
        } else if (is(st, "start_buttons")) {
            status = connectly_message_start_buttons(m);
        } else if (is(st, "button")) {
            status = connectly_message_add_button(m, s[0], s[1]);
        } else {
            status = unknown_step(v, st);
        }
    }
    if (status == CONNECTLY_OK) status = connectly_send_message(client, channel, to, m, &response);
    connectly_response_free(response);
    connectly_message_free(m);
    return status;
}

static connectly_status send_template_row(connectly_client *client, const struct req_vector *v) {
    connectly_template_message *t = NULL;
    connectly_response *response = NULL;
    connectly_status status = CONNECTLY_OK;
    size_t i;
    for (i = 0; i < v->n_steps && status == CONNECTLY_OK; i++) {
        const struct req_step *st = &v->steps[i];
        const char *const *s = st->s;
        if (is(st, "template")) {
            t = connectly_template_message_new(s[0], s[1]);
            CHECK(t != NULL);
        } else if (is(st, "param")) {
            status = connectly_template_message_add_param(t, s[0], s[1]);
        } else if (is(st, "language")) {
            status = connectly_template_message_set_language(t, s[0]);
        } else if (is(st, "sender")) {
            status = connectly_template_message_set_sender(t, s[0]);
        } else if (is(st, "callback_data")) {
            status = connectly_template_message_set_callback_data_json(t, s[0]);
        } else if (is(st, "campaign_name")) {
            status = connectly_template_message_set_campaign_name(t, s[0]);
        } else {
            status = unknown_step(v, st);
        }
    }
    if (status == CONNECTLY_OK) status = connectly_send_template_message(client, t, &response);
    connectly_response_free(response);
    connectly_template_message_free(t);
    return status;
}

static connectly_status send_campaign_row(connectly_client *client, const struct req_vector *v) {
    connectly_campaign *c = connectly_campaign_new();
    connectly_campaign_result *result = NULL;
    connectly_status status = CONNECTLY_OK;
    size_t i;
    for (i = 0; i < v->n_steps && status == CONNECTLY_OK; i++) {
        const struct req_step *st = &v->steps[i];
        const char *const *s = st->s;
        if (is(st, "entry")) {
            status = connectly_campaign_add_entry(c, s[0], s[1]);
        } else if (is(st, "variable")) {
            status = connectly_campaign_set_variable(c, s[0], s[1]);
        } else if (is(st, "variables_json")) {
            status = connectly_campaign_set_variables_json(c, s[0]);
        } else if (is(st, "version")) {
            status = connectly_campaign_set_version(c, s[0]);
        } else if (is(st, "sender")) {
            status = connectly_campaign_set_sender(c, s[0]);
        } else if (is(st, "scheduled_at")) {
            status = connectly_campaign_set_scheduled_at(c, s[0]);
        } else {
            status = unknown_step(v, st);
        }
    }
    if (status == CONNECTLY_OK) status = connectly_send_campaign(client, c, &result);
    connectly_campaign_result_free(result);
    connectly_campaign_free(c);
    return status;
}

/* Makes the row's call; the status of the first setter that failed, or of the call. */
static connectly_status run_row(connectly_client *client, const struct req_vector *v) {
    const char *const *s = v->n_steps > 0 ? v->steps[0].s : NULL;
    connectly_response *response = NULL;
    connectly_status status;
    if (strcmp(v->call, "send_message") == 0) return send_message_row(client, v);
    if (strcmp(v->call, "send_template") == 0) return send_template_row(client, v);
    if (strcmp(v->call, "send_campaign") == 0) return send_campaign_row(client, v);
    if (strcmp(v->call, "list_webhooks") == 0) {
        connectly_webhook_list *list = NULL;
        status = connectly_list_webhooks(client, &list);
        connectly_webhook_list_free(list);
        return status;
    }
    if (strcmp(v->call, "list_templates") == 0) {
        connectly_template_list *list = NULL;
        status = connectly_list_templates(client, &list);
        connectly_template_list_free(list);
        return status;
    }
    CHECK(v->n_steps == 1);
    if (s == NULL) return CONNECTLY_ERROR_INTERNAL;
    if (strcmp(v->call, "create_webhook") == 0) {
        status = connectly_create_webhook_with(client, s[0], s[1], s[2], s[3], &response);
    } else if (strcmp(v->call, "upsert_webhook_create") == 0) {
        status = connectly_upsert_webhook(client, s[0], s[1], s[2], &response);
    } else if (strcmp(v->call, "update_webhook") == 0) {
        status = connectly_update_webhook(client, s[0], s[1], s[2], &response);
    } else if (strcmp(v->call, "delete_webhook") == 0) {
        status = connectly_delete_webhook(client, s[0], &response);
    } else {
        char what[256];
        snprintf(what, sizeof what, "row %s: unknown call %s", v->name, v->call);
        harness_fail(__FILE__, __LINE__, what);
        status = CONNECTLY_ERROR_INTERNAL;
    }
    connectly_response_free(response);
    return status;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes the path segment at *p (up to the next '/' or the end) into out (which
 * holds at least as many bytes as the path), and moves *p past it. */
static size_t next_segment(const char **p, char *out) {
    size_t n = 0;
    while (**p != 0 && **p != '/') {
        int hi, lo;
        if (**p == '%' && (hi = hex_value((*p)[1])) >= 0 && (lo = hex_value((*p)[2])) >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            *p += 3;
        } else {
            out[n++] = *(*p)++;
        }
    }
    return n;
}

/* Whether two paths have the same segments, each compared after percent-decoding. */
static int same_path(const char *a, const char *b) {
    char *x = malloc(strlen(a) + 1), *y = malloc(strlen(b) + 1);
    int same = 1;
    if (x == NULL || y == NULL) abort();
    for (;;) {
        size_t n = next_segment(&a, x), m = next_segment(&b, y);
        if (n != m || memcmp(x, y, n) != 0) {
            same = 0;
            break;
        }
        if (*a == 0 || *b == 0) {
            same = *a == *b;
            break;
        }
        a++;
        b++;
    }
    free(x);
    free(y);
    return same;
}

/* An ok row: exactly one request, with the method, path and body expected. */
static void check_request(const struct req_vector *v) {
    struct json *requests = mock_requests();
    const struct json *request;
    char path[512];
    CHECK(requests != NULL && requests->type == JSON_ARRAY && requests->count == 1);
    if (requests == NULL || requests->type != JSON_ARRAY || requests->count != 1) {
        json_free(requests);
        return;
    }
    request = &requests->items[0];
    CHECK_STR(json_get_string(request, "method"), v->method);
    snprintf(path, sizeof path, "/v1/businesses/%s%s", mock.business_id, v->path);
    CHECK(json_get_string(request, "path") != NULL &&
          same_path(json_get_string(request, "path"), path));
    if (v->body == NULL) {
        CHECK_STR(json_get_string(request, "body_base64"), "");
    } else {
        CHECK(request_body_is(request, v->body));
    }
    json_free(requests);
}

void test_request_vectors(void) {
    connectly_client *client = mock_client(0, 5000);
    size_t i, rows = 0;

    /* Registrations are replaced, not refused: the upsert rows' create answers 200. */
    CHECK(mock_control("POST", "/_mock/webhook_conflicts", "{\"enabled\":false}", NULL) == 200);
    for (i = 0; i < REQ_VECTOR_ROWS; i++) {
        const struct req_vector *v = &REQ_VECTORS[i];
        long failures_before = harness_failures;
        connectly_status got;

        mock_reset();
        got = run_row(client, v);
        if (v->error_field != NULL) {
            char want[128];
            snprintf(want, sizeof want, "invalid %s: ", v->error_field);
            CHECK_STATUS(got, CONNECTLY_ERROR_VALIDATION);
            CHECK(strncmp(connectly_last_error_message(), want, strlen(want)) == 0);
            CHECK_STR(connectly_last_error_field(), v->error_field);
            CHECK(mock_request_count() == 0);
        } else {
            /* Sent: the mock's answer may be an error (an unknown webhook id is 404). */
            CHECK(got == CONNECTLY_OK || got == CONNECTLY_ERROR_API);
            CHECK(connectly_last_error_field() == NULL);
            check_request(v);
        }
        if (harness_failures != failures_before) {
            fprintf(stderr, "  (in row %s: %s, last error: %s)\n", v->name,
                    connectly_status_name(got), connectly_last_error_message());
        }
        rows++;
    }
    printf("requests.json: %lu rows\n", (unsigned long)rows);
    CHECK(rows == REQ_VECTOR_ROWS && rows > 0);
    conformance_report("requests.json", rows);
    mock_reset();
    connectly_client_free(client);
}
