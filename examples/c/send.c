/*
 * Sends a WhatsApp text, an image with a caption, and a template with a language and
 * callback data through Connectly. Messages are operations: a handle built with setters,
 * then sent (and freed by the caller).
 *
 *   cc send.c $(pkg-config --cflags --libs connectly) -o send
 *   CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... ./send +15555555555
 *
 * CONNECTLY_BASE_URL (optional) points it at another server, such as the mock
 * (`connectly mock`). Exits non-zero when a call fails.
 */
#include <stdio.h>

#include "connectly.h"

/* Prints a failed call's status and details; returns 1. */
static int report(const char *what, connectly_status status) {
    fprintf(stderr, "%s failed: %s: %s\n", what, connectly_status_name(status),
            connectly_last_error_message());
    if (connectly_last_error_code() != NULL) {
        fprintf(stderr, "  provider code %s (HTTP %u)\n", connectly_last_error_code(),
                (unsigned)connectly_last_error_http_status());
    }
    if (connectly_last_error_trace_id() != NULL) {
        fprintf(stderr, "  trace id %s\n", connectly_last_error_trace_id());
    }
    if (connectly_last_error_field() != NULL) {
        fprintf(stderr, "  refused before sending: %s\n", connectly_last_error_field());
    }
    return 1;
}

int main(int argc, char **argv) {
    const char *to = argc > 1 ? argv[1] : "+15555555555";
    connectly_client *client = NULL;
    connectly_response *response = NULL;
    connectly_message *photo;
    connectly_template_message *order;
    connectly_status status;

    status = connectly_client_new_from_env(&client);
    if (status != CONNECTLY_OK) return report("connectly_client_new_from_env", status);

    status = connectly_send_text(client, "whatsapp", to, "Hello from C!", &response);
    if (status != CONNECTLY_OK) {
        connectly_client_free(client);
        return report("connectly_send_text", status);
    }
    printf("text sent: HTTP %u after %u attempt(s), trace id %s\n  body %s\n",
           (unsigned)connectly_response_status(response),
           (unsigned)connectly_response_attempts(response),
           connectly_response_trace_id(response) ? connectly_response_trace_id(response) : "-",
           connectly_response_body(response));
    connectly_response_free(response);

    /* An image with a caption: a message handle, its attachment set, then sent. */
    photo = connectly_message_new();
    status = connectly_message_set_attachment(photo, "image", "https://example.com/receipt.jpg",
                                              "Your receipt", NULL);
    if (status == CONNECTLY_OK) {
        status = connectly_send_message(client, "whatsapp", to, photo, &response);
    }
    connectly_message_free(photo);
    if (status != CONNECTLY_OK) {
        connectly_client_free(client);
        return report("connectly_send_message", status);
    }
    printf("image sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);

    /* A template with its language, parameters in order, and callback data that Connectly
     * echoes in the delivery statuses about it. */
    order = connectly_template_message_new(to, "order_update");
    if (order == NULL) {
        /* A handle constructor gives NULL, with the thread's last error set. */
        fprintf(stderr, "connectly_template_message_new failed: %s\n",
                connectly_last_error_message());
        connectly_client_free(client);
        return 1;
    }
    status = connectly_template_message_set_language(order, "en_US");
    if (status == CONNECTLY_OK) status = connectly_template_message_add_param(order, "name", "Ada");
    if (status == CONNECTLY_OK) {
        status = connectly_template_message_add_param(order, "order", "1042");
    }
    if (status == CONNECTLY_OK) {
        status = connectly_template_message_set_callback_data_json(order, "{\"orderId\":1042}");
    }
    if (status == CONNECTLY_OK) {
        status = connectly_send_template_message(client, order, &response);
    }
    connectly_template_message_free(order);
    if (status != CONNECTLY_OK) {
        connectly_client_free(client);
        return report("connectly_send_template_message", status);
    }
    printf("template sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    connectly_client_free(client);
    return 0;
}
