// connectly-example: run
/*
 * Messages: a text, a template with its language and callback data, an image with a
 * caption, a location, reply buttons and a list, each sent to one WhatsApp number.
 *
 * A message is a handle built with setters (checked when it is sent), sent with
 * connectly_send_message and freed by the caller. Every function below returns 0 when
 * Connectly accepted the message, 1 otherwise.
 */
// --8<-- [start:client]
#include <stdio.h>

#include "connectly.h"

/* Prints why a call failed (the calling thread's last error); returns 1. */
static int failed(const char *what, connectly_status status) {
    fprintf(stderr, "%s failed: %s: %s\n", what, connectly_status_name(status),
            connectly_last_error_message());
    return 1;
}

/* The client the sends below take: CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID and, when set,
 * CONNECTLY_BASE_URL. Thread-safe; free it with connectly_client_free. NULL on failure. */
static connectly_client *client_from_env(void) {
    connectly_client *client = NULL;
    connectly_status status = connectly_client_new_from_env(&client);
    if (status != CONNECTLY_OK) failed("connectly_client_new_from_env", status);
    return client; /* written only on success */
}
// --8<-- [end:client]

// --8<-- [start:text]
static int send_text(const connectly_client *client, const char *to) {
    connectly_response *response = NULL;
    connectly_status status =
        connectly_send_text(client, "whatsapp", to, "Your order has shipped.", &response);
    if (status != CONNECTLY_OK) return failed("text", status);
    /* Connectly's answer, as JSON text: {"id":"<the message's id>",...}. */
    printf("text sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:text]

// --8<-- [start:template]
static int send_template(const connectly_client *client, const char *to) {
    connectly_response *response = NULL;
    connectly_template_message *order = connectly_template_message_new(to, "order_update");
    /* A NULL handle (no memory) fails the first setter: CONNECTLY_ERROR_NULL_ARGUMENT. */
    connectly_status status = connectly_template_message_set_language(order, "en");
    /* Parameters are sent in the order added. */
    if (status == CONNECTLY_OK) status = connectly_template_message_add_param(order, "name", "Ada");
    if (status == CONNECTLY_OK) {
        status = connectly_template_message_add_param(order, "order", "1042");
    }
    /* Any JSON (at most 1024 bytes): Connectly echoes it in this message's status events. */
    if (status == CONNECTLY_OK) {
        status = connectly_template_message_set_callback_data_json(order, "{\"orderId\":1042}");
    }
    if (status == CONNECTLY_OK) status = connectly_send_template_message(client, order, &response);
    connectly_template_message_free(order);
    if (status != CONNECTLY_OK) return failed("template", status);
    printf("template sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:template]

// --8<-- [start:media]
static int send_image(const connectly_client *client, const char *to) {
    connectly_response *response = NULL;
    connectly_message *message = connectly_message_new();
    /* "image", "video", "audio" or "document", at a public https URL Connectly downloads. */
    connectly_status status = connectly_message_set_attachment(
        message, "image", "https://example.com/receipts/1042.png", "Your receipt", NULL);
    if (status == CONNECTLY_OK) {
        status = connectly_send_message(client, "whatsapp", to, message, &response);
    }
    connectly_message_free(message);
    if (status != CONNECTLY_OK) return failed("image", status);
    printf("image sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:media]

// --8<-- [start:location]
static int send_location(const connectly_client *client, const char *to) {
    connectly_response *response = NULL;
    connectly_message *message = connectly_message_new();
    /* Latitude and longitude in degrees; the name and address may be NULL. */
    connectly_status status = connectly_message_set_location(
        message, 38.7107, -9.1366, "Baixa store", "Rua Augusta 100, Lisbon");
    if (status == CONNECTLY_OK) {
        status = connectly_send_message(client, "whatsapp", to, message, &response);
    }
    connectly_message_free(message);
    if (status != CONNECTLY_OK) return failed("location", status);
    printf("location sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:location]

// --8<-- [start:buttons]
static int send_buttons(const connectly_client *client, const char *to) {
    connectly_response *response = NULL;
    connectly_message *message = connectly_message_new_text("Did your parcel arrive?");
    /* 1 to 3 buttons with unique ids; a tap comes back with the button's id. */
    connectly_status status = connectly_message_add_button(message, "arrived", "Yes, thanks");
    if (status == CONNECTLY_OK) status = connectly_message_add_button(message, "missing", "No");
    if (status == CONNECTLY_OK) status = connectly_message_set_footer(message, "Order 1042");
    if (status == CONNECTLY_OK) {
        status = connectly_send_message(client, "whatsapp", to, message, &response);
    }
    connectly_message_free(message);
    if (status != CONNECTLY_OK) return failed("buttons", status);
    printf("buttons sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:buttons]

// --8<-- [start:list]
static int send_list(const connectly_client *client, const char *to) {
    connectly_response *response = NULL;
    connectly_message *message = connectly_message_new_text("When should we deliver?");
    /* The button opens the list; rows (1 to 10 in all, unique ids) join the section whose
     * title they name; the description may be NULL. */
    connectly_status status = connectly_message_set_list_button(message, "Pick a slot");
    if (status == CONNECTLY_OK) {
        status = connectly_message_add_list_row(message, "Tomorrow", "tue-am", "Morning",
                                                "9:00 to 12:00");
    }
    if (status == CONNECTLY_OK) {
        status = connectly_message_add_list_row(message, "Tomorrow", "tue-pm", "Afternoon",
                                                "14:00 to 18:00");
    }
    if (status == CONNECTLY_OK) {
        status = connectly_message_add_list_row(message, "Later", "call-me", "Call me", NULL);
    }
    if (status == CONNECTLY_OK) {
        status = connectly_send_message(client, "whatsapp", to, message, &response);
    }
    connectly_message_free(message);
    if (status != CONNECTLY_OK) return failed("list", status);
    printf("list sent: %s\n", connectly_response_body(response));
    connectly_response_free(response);
    return 0;
}
// --8<-- [end:list]

int main(void) {
    const char *to = "+15555555555";
    connectly_client *client = client_from_env();
    int failures = 0;

    if (client == NULL) return 1;
    failures += send_text(client, to);
    failures += send_template(client, to);
    failures += send_image(client, to);
    failures += send_location(client, to);
    failures += send_buttons(client, to);
    failures += send_list(client, to);
    connectly_client_free(client);
    printf("%d of 6 messages failed\n", failures);
    return failures == 0 ? 0 : 1;
}
