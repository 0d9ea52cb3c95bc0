// connectly-example: run
/*
 * Errors: every fallible call returns a connectly_status (CONNECTLY_OK is 0); after a
 * failure, connectly_last_error() is the calling thread's error object, read with the
 * connectly_error_* getters (the same object a completion or a batch gives). Bad input is
 * refused before anything is sent; API errors come typed, with Connectly's details; retries
 * never send a message twice.
 *
 * The failures Connectly would give at random (429, 5xx) are scripted here through the mock
 * Connectly's control endpoint, POST /_mock/fail: that part is test scaffolding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectly.h"
#include "mock_control.h" /* test scaffolding: the mock's /_mock/ endpoints */

#define TO "+15555555555"

// --8<-- [start:validation]
/* A number that is not E.164: refused by the SDK, so nothing reaches Connectly. */
static connectly_status send_to_bad_number(const connectly_client *client) {
    connectly_status status =
        connectly_send_text(client, "whatsapp", "+1 (555) 0100", "Your code is 7291", NULL);
    if (status == CONNECTLY_ERROR_VALIDATION) {
        /* The field is the same word in every language: "recipient id", "text", ... */
        printf("refused before sending: %s\n  field \"%s\", %u attempts\n",
               connectly_last_error_message(), connectly_last_error_field(),
               (unsigned)connectly_last_error_attempts());
    }
    return status;
}
// --8<-- [end:validation]

// --8<-- [start:api_errors]
/* What to do about a failure, by its kind. `error` is connectly_last_error() right after
 * the call (valid until the thread's next call), a completion's or a batch item's error. */
static void explain(const connectly_error *error) {
    const char *code = connectly_error_code(error), *trace = connectly_error_trace_id(error);
    unsigned http = connectly_error_http_status(error);
    switch (connectly_error_status(error)) {
    case CONNECTLY_ERROR_VALIDATION:
        printf("fix the input (%s); nothing was sent\n", connectly_error_field(error));
        break;
    case CONNECTLY_ERROR_AUTHENTICATION:
        printf("HTTP %u: the API key was refused; check CONNECTLY_API_KEY\n", http);
        break;
    case CONNECTLY_ERROR_RATE_LIMITED:
        printf("HTTP %u: rate limited; Connectly asks to wait %lld ms\n", http,
               (long long)connectly_error_retry_after_ms(error)); /* -1: it did not say */
        break;
    case CONNECTLY_ERROR_API:
        printf("HTTP %u: refused: %s\n", http, connectly_error_api_message(error));
        break;
    case CONNECTLY_ERROR_SERVER:
    case CONNECTLY_ERROR_TIMEOUT:
    case CONNECTLY_ERROR_TRANSPORT:
        /* Whether the request may have reached Connectly: then do not send it again blindly. */
        printf("%s after %u attempt(s): %s\n",
               connectly_status_name(connectly_error_status(error)),
               (unsigned)connectly_error_attempts(error),
               connectly_error_possibly_sent(error)
                   ? "the message may have arrived; check before resending"
                   : "it never reached Connectly; safe to send again");
        break;
    default:
        printf("%s: %s\n", connectly_status_name(connectly_error_status(error)),
               connectly_error_message(error));
    }
    if (code != NULL) printf("  code %s\n", code); /* Connectly's, such as ERROR_CODE_... */
    if (trace != NULL) printf("  trace id %s (for Connectly's support)\n", trace);
}
// --8<-- [end:api_errors]

// --8<-- [start:retries]
/* Up to 1 + 3 attempts, each given at most 10 s. A send is retried only when its request
 * provably never reached Connectly, or was answered 429 (after the Retry-After it gave);
 * never after a 5xx, a timeout or a broken connection, when it may have arrived. So no
 * message is sent twice. */
static connectly_client *client_with_retries(void) {
    connectly_client_options options = connectly_client_options_default(); /* env */
    connectly_client *client = NULL;
    options.timeout_ms = 10000;
    options.max_retries = 3; /* 0 to 10; the default is 2 */
    if (connectly_client_new_with(&options, &client) != CONNECTLY_OK) {
        fprintf(stderr, "client: %s\n", connectly_last_error_message());
    }
    return client;
}

static connectly_status send_reminder(const connectly_client *client, uint32_t *attempts) {
    connectly_response *response = NULL;
    connectly_status status =
        connectly_send_text(client, "whatsapp", TO, "Your table is booked for 8 pm.", &response);
    if (status != CONNECTLY_OK) {
        *attempts = connectly_last_error_attempts();
        printf("failed: %s after %u attempt(s)\n", connectly_status_name(status), *attempts);
        return status;
    }
    *attempts = connectly_response_attempts(response);
    printf("sent after %u attempt(s)\n", *attempts);
    connectly_response_free(response);
    return CONNECTLY_OK;
}
// --8<-- [end:retries]

/* How many API requests the mock has recorded; -1 when it cannot tell. */
static long requests_seen(void) {
    char *log = NULL;
    const char *p;
    long n = 0;
    if (mock_control_env("GET", "/_mock/requests", "", &log) != 200) {
        free(log);
        return -1;
    }
    for (p = log; (p = strstr(p, "\"received_unix_ms\"")) != NULL; p++) n++;
    free(log);
    return n;
}

static int wrong = 0;

static void check(int ok, const char *what) {
    printf("  %s: %s\n", ok ? "ok" : "WRONG", what);
    if (!ok) wrong++;
}

int main(void) {
    const char *base_url = getenv("CONNECTLY_BASE_URL");
    const char *business = getenv("CONNECTLY_BUSINESS_ID");
    connectly_client *client = client_with_retries(), *impostor = NULL, *impatient = NULL;
    connectly_status status;
    uint32_t attempts = 0;
    long before;

    if (client == NULL || business == NULL) return 1;

    printf("validation:\n");
    before = requests_seen();
    status = send_to_bad_number(client);
    check(status == CONNECTLY_ERROR_VALIDATION, "CONNECTLY_ERROR_VALIDATION");
    check(connectly_last_error_field() != NULL, "it names the field");
    check(connectly_last_error_attempts() == 0 && requests_seen() == before, "nothing sent");
    explain(connectly_last_error());

    printf("a wrong API key:\n");
    status = connectly_client_new(
        "not-the-key", business, base_url, &impostor);
    if (status == CONNECTLY_OK) status = connectly_send_text(impostor, "whatsapp", TO, "hi", NULL);
    explain(connectly_last_error());
    check(status == CONNECTLY_ERROR_AUTHENTICATION, "CONNECTLY_ERROR_AUTHENTICATION");
    check(connectly_last_error_http_status() == 401, "HTTP 401");
    check(strstr(connectly_last_error_message(), "not-the-key") == NULL,
          "the message does not quote the key");
    connectly_client_free(impostor);

    printf("an unknown webhook:\n");
    status = connectly_delete_webhook(client, "wh_no_such_registration", NULL);
    explain(connectly_last_error());
    check(status == CONNECTLY_ERROR_API, "CONNECTLY_ERROR_API");
    check(connectly_last_error_http_status() == 404, "HTTP 404");
    check(connectly_last_error_code() != NULL && connectly_last_error_trace_id() != NULL,
          "Connectly's code and trace id");

    printf("429 with no retry left:\n");
    status = connectly_client_new_with_options(getenv("CONNECTLY_API_KEY"), business, base_url,
                                               0, 0 /* no retries */, &impatient);
    check(status == CONNECTLY_OK, "a client without retries");
    check(mock_control_env("POST", "/_mock/fail", "[{\"status\":429,\"retry_after\":\"2\"}]",
                           NULL) == 200,
          "(scripted: the next request is answered 429, Retry-After: 2)");
    status = send_reminder(impatient, &attempts);
    explain(connectly_last_error());
    check(status == CONNECTLY_ERROR_RATE_LIMITED, "CONNECTLY_ERROR_RATE_LIMITED");
    check(connectly_last_error_retry_after_ms() == 2000, "retry after 2000 ms");
    connectly_client_free(impatient);

    printf("retries:\n");
    check(mock_control_env("POST", "/_mock/fail",
                           "[{\"status\":429,\"retry_after\":\"0\"},{\"status\":429}]",
                           NULL) == 200,
          "(scripted: two 429 answers, then a normal one)");
    status = send_reminder(client, &attempts);
    check(status == CONNECTLY_OK && attempts == 3, "429 is retried: sent on the third attempt");
    check(mock_control_env("POST", "/_mock/fail", "[{\"status\":503}]", NULL) == 200,
          "(scripted: a 503 answer)");
    before = requests_seen();
    status = send_reminder(client, &attempts);
    explain(connectly_last_error());
    check(status == CONNECTLY_ERROR_SERVER && attempts == 1,
          "a 5xx is not retried: CONNECTLY_ERROR_SERVER after one attempt");
    check(connectly_error_possibly_sent(connectly_last_error()), "a 5xx is possibly sent");
    check(requests_seen() == before + 1, "Connectly saw the message once");
    check(mock_control_env("POST", "/_mock/fail", "[{\"drop\":true}]", NULL) == 200,
          "(scripted: the connection closes after the request, unanswered)");
    status = send_reminder(client, &attempts);
    explain(connectly_last_error());
    check(status == CONNECTLY_ERROR_TRANSPORT && attempts == 1,
          "a broken connection after sending is not retried");
    check(connectly_error_possibly_sent(connectly_last_error()),
          "a connection broken after the request is possibly sent");

    connectly_client_free(client);
    printf("%s\n", wrong == 0 ? "every error as expected" : "SOME ERRORS WERE WRONG");
    return wrong == 0 ? 0 : 1;
}
