/*
 * Sends a WhatsApp text and a template through Connectly.
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
    return 1;
}

int main(int argc, char **argv) {
    const char *to = argc > 1 ? argv[1] : "+15555555555";
    connectly_client *client = NULL;
    connectly_response *response = NULL;
    connectly_template_param params[2];
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

    params[0].name = "name";
    params[0].value = "Ada";
    params[1].name = "order";
    params[1].value = "1042";
    status = connectly_send_template(client, to, "order_update", params, 2, NULL);
    if (status != CONNECTLY_OK) {
        connectly_client_free(client);
        return report("connectly_send_template", status);
    }
    printf("template sent\n");
    connectly_client_free(client);
    return 0;
}
