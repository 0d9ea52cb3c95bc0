// connectly-example: run
/*
 * Webhooks: register an address for a topic, list the registrations, make an address the
 * topic's registration whichever way Connectly answers a second one (upsert), and delete
 * them again. The program leaves no registration of its own behind.
 */
#include <stdio.h>
#include <string.h>

#include "connectly.h"

#define FIRST "https://example.com/connectly/webhooks/v1"
#define SECOND "https://example.com/connectly/webhooks/v2"

// --8<-- [start:create]
/* Prints why a call failed (the calling thread's last error); returns 1. */
static int failed(const char *what, connectly_status status) {
    fprintf(stderr, "%s failed: %s: %s\n", what, connectly_status_name(status),
            connectly_last_error_message());
    return 1;
}

/* Registers `address` for the inbound messages of WhatsApp only. */
static int create_webhook(const connectly_client *client, const char *address) {
    connectly_response *response = NULL;
    connectly_status status = connectly_create_webhook_with(
        client, address, "messages", NULL /* Connectly's default type */,
        "{\"channelTypes\":[\"whatsapp\"]}", &response);
    if (status != CONNECTLY_OK) return failed("create webhook", status);
    printf("created: %s\n", connectly_response_body(response)); /* {"id":"...",...} */
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:create]

// --8<-- [start:list]
/* Prints every registration of the business; returns how many, or -1. */
static long print_webhooks(const connectly_client *client) {
    connectly_webhook_list *list = NULL;
    size_t i, n;
    connectly_status status = connectly_list_webhooks(client, &list);
    if (status != CONNECTLY_OK) {
        failed("list webhooks", status);
        return -1;
    }
    n = connectly_webhook_list_len(list);
    for (i = 0; i < n; i++) {
        /* The topic, address and configuration are NULL when Connectly did not list them. */
        const char *topic = connectly_webhook_list_topic(list, i);
        const char *address = connectly_webhook_list_address(list, i);
        const char *configuration = connectly_webhook_list_configuration_json(list, i);
        printf("  %s: %s -> %s %s\n", connectly_webhook_list_id(list, i), topic ? topic : "?",
               address ? address : "?", configuration ? configuration : "");
    }
    connectly_webhook_list_free(list); /* and with it every string it gave */
    return (long)n;
}
// --8<-- [end:list]

// --8<-- [start:upsert]
/* Makes `address` the registration for delivery statuses: a create where there is none; an
 * update of the existing one where Connectly answers a second create with 409. */
static int upsert_webhook(const connectly_client *client, const char *address) {
    connectly_response *response = NULL;
    connectly_status status =
        connectly_upsert_webhook(client, address, "delivery_status", NULL, &response);
    if (status != CONNECTLY_OK) return failed("upsert webhook", status);
    printf("upserted: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:upsert]

// --8<-- [start:delete]
/* Deletes every registration whose address starts with `prefix`; returns 0 when all went. */
static int delete_webhooks(const connectly_client *client, const char *prefix) {
    connectly_webhook_list *list = NULL;
    size_t i;
    int failures = 0;
    connectly_status status = connectly_list_webhooks(client, &list);
    if (status != CONNECTLY_OK) return failed("list webhooks", status);
    for (i = 0; i < connectly_webhook_list_len(list); i++) {
        const char *id = connectly_webhook_list_id(list, i);
        const char *address = connectly_webhook_list_address(list, i);
        if (id == NULL || address == NULL || strncmp(address, prefix, strlen(prefix)) != 0) {
            continue;
        }
        status = connectly_delete_webhook(client, id, NULL /* the answer is not wanted */);
        if (status != CONNECTLY_OK) failures += failed("delete webhook", status);
        else printf("deleted %s (%s)\n", id, address);
    }
    connectly_webhook_list_free(list);
    return failures;
}
// --8<-- [end:delete]

/* The checks: the address registered for `topic` now ("" for none), copied to `out`. */
static int registered(const connectly_client *client, const char *topic, char *out, size_t cap) {
    connectly_webhook_list *list = NULL;
    size_t i;
    if (connectly_list_webhooks(client, &list) != CONNECTLY_OK) return -1;
    out[0] = 0;
    for (i = 0; i < connectly_webhook_list_len(list); i++) {
        const char *t = connectly_webhook_list_topic(list, i);
        const char *address = connectly_webhook_list_address(list, i);
        if (t != NULL && address != NULL && strcmp(t, topic) == 0) {
            snprintf(out, cap, "%s", address);
        }
    }
    connectly_webhook_list_free(list);
    return 0;
}

static int expect(const connectly_client *client, const char *topic, const char *want) {
    char got[512];
    if (registered(client, topic, got, sizeof got) != 0) {
        return failed("list webhooks", connectly_error_status(connectly_last_error()));
    }
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "WRONG: topic %s is registered to \"%s\", want \"%s\"\n", topic, got,
                want);
        return 1;
    }
    return 0;
}

int main(void) {
    connectly_client *client = NULL;
    connectly_status status = connectly_client_new_from_env(&client);
    int wrong = 0;

    if (status != CONNECTLY_OK) return failed("connectly_client_new_from_env", status);
    wrong += create_webhook(client, FIRST);
    wrong += expect(client, "messages", FIRST);
    wrong += upsert_webhook(client, FIRST);
    wrong += expect(client, "delivery_status", FIRST);
    /* Again, with another address: the one registration changes, none is added. */
    wrong += upsert_webhook(client, SECOND);
    wrong += expect(client, "delivery_status", SECOND);
    printf("registrations:\n");
    if (print_webhooks(client) < 2) wrong++;
    wrong += delete_webhooks(client, "https://example.com/connectly/");
    wrong += expect(client, "messages", "");
    wrong += expect(client, "delivery_status", "");
    connectly_client_free(client);
    printf("%s\n", wrong == 0 ? "ok: no registration left behind" : "FAILED");
    return wrong == 0 ? 0 : 1;
}
