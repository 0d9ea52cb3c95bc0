/* The README's C quickstart: a text and a template, and a typed error.
 *
 *     CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... ./quickstart
 *
 * connectly-example: run
 */
// --8<-- [start:quickstart]
#include <stdio.h>
#include <connectly.h>

int main(void) {
    connectly_client *client = NULL;
    connectly_response *sent = NULL;
    /* CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID from the environment */
    connectly_status status = connectly_client_new_from_env(&client);
    if (status == CONNECTLY_OK)
        status = connectly_send_text(client, "whatsapp", "+15555555555",
                                     "Your order has shipped", &sent);
    if (status == CONNECTLY_OK) {
        printf("Connectly answered %s after %u attempt(s)\n", connectly_response_body(sent),
               connectly_response_attempts(sent));
        connectly_template_param name = {"name", "Ada"};
        status = connectly_send_template(client, "+15555555555", "order_update", &name, 1, NULL);
    }
    if (status != CONNECTLY_OK) /* a numbered status, and the error's text (never a secret) */
        fprintf(stderr, "%s: %s\n", connectly_status_name(status),
                connectly_last_error_message());
    connectly_response_free(sent);
    connectly_client_free(client);
    return status == CONNECTLY_OK ? 0 : 1;
}
// --8<-- [end:quickstart]
