// connectly-example: run
/*
 * Install: check which libconnectly a program runs with, and make a client from the
 * environment (CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID, optionally CONNECTLY_BASE_URL).
 *
 *   cc -std=c99 -Iinclude install.c target/debug/libconnectly.a -lpthread -ldl -lm -o install
 */
#include <stdio.h>
#include <string.h>

// --8<-- [start:client]
#include "connectly.h"

/* A client configured from the environment; NULL, with the reason printed, when a variable
 * is missing or unusable. Thread-safe: make one per program and share it. */
static connectly_client *client_from_env(void) {
    connectly_client *client = NULL;
    connectly_status status = connectly_client_new_from_env(&client);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "cannot make a Connectly client: %s: %s\n",
                connectly_status_name(status), connectly_last_error_message());
        return NULL;
    }
    return client; /* free it with connectly_client_free() */
}
// --8<-- [end:client]

int main(void) {
    connectly_client *client;
    connectly_response *response = NULL;
    connectly_status status;

    // --8<-- [start:version]
    /* The library linked at run time, and the header compiled against: keep them equal. */
    printf("libconnectly %s (header %s)\n", connectly_version(), CONNECTLY_VERSION);
    if (strcmp(connectly_version(), CONNECTLY_VERSION) != 0) {
        fprintf(stderr, "connectly.h and libconnectly are different versions\n");
        return 1;
    }
    // --8<-- [end:version]

    client = client_from_env();
    if (client == NULL) return 1;
    /* The client works: one text through it. */
    status = connectly_send_text(client, "whatsapp", "+15555555555", "Installed!", &response);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "send: %s: %s\n", connectly_status_name(status),
                connectly_last_error_message());
        connectly_client_free(client);
        return 1;
    }
    printf("client from the environment: sent a text, HTTP %u, %s\n",
           (unsigned)connectly_response_status(response), connectly_response_body(response));
    status = connectly_response_status(response) == 200 ? CONNECTLY_OK : CONNECTLY_ERROR_API;
    connectly_response_free(response);
    connectly_client_free(client);
    return status == CONNECTLY_OK ? 0 : 1;
}
