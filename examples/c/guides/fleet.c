// connectly-example: run
/*
 * Fleet: many processes sharing one Redis (REDIS_URL): one send budget for all of them, a
 * webhook delivery handled once however many receivers get a copy, and the furthest
 * delivery status of each message, whichever worker saw it. Two handles on the same Redis
 * stand in for two processes here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connectly.h"

// --8<-- [start:rate_limiter]
/* A client whose sends wait their turn in a budget shared through Redis by every process
 * made this way: 20 sends a second, 5 at once; while Redis does not answer, each process
 * keeps to a quarter of the rate (fallback_share 0: the default). */
static connectly_client *fleet_client(const char *redis_url) {
    connectly_rate_limiter *limiter = NULL;
    connectly_client_options options = connectly_client_options_default(); /* env */
    connectly_client *client = NULL;
    connectly_status status = connectly_rate_limiter_new_redis(redis_url, 20.0, 5, 0.0, &limiter);
    if (status == CONNECTLY_OK) {
        options.rate_limiter = limiter;
        status = connectly_client_new_with(&options, &client);
    }
    connectly_rate_limiter_free(limiter); /* the client keeps what it needs */
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "fleet client: %s\n", connectly_last_error_message());
    }
    return client;
}
// --8<-- [end:rate_limiter]

/* What the receiver does with a delivery; counted here, for the check. */
static int handled = 0;

static int handle(const connectly_event *event) {
    printf("handling: %s\n", connectly_event_text(event));
    handled++;
    return 200;
}

// --8<-- [start:deduplicator]
/* Runs the handler for a verified event unless another receiver of the fleet has run it
 * (or is running it) already; returns the HTTP status to answer Connectly with. */
static unsigned handle_once(const connectly_deduplicator *dedup, const connectly_event *event) {
    connectly_claim *claim = NULL;
    uint16_t answer = 0;
    unsigned status;
    if (connectly_dedup_admit(dedup, event, &claim, &answer) != CONNECTLY_OK) {
        return 503; /* Redis did not answer: Connectly will deliver it again */
    }
    if (claim == NULL) return answer; /* 200: handled already; 409: being handled */
    status = (unsigned)handle(event);
    /* A 2xx marks it handled; any other answer releases it for Connectly's retry. */
    if (connectly_claim_finish(claim, (uint16_t)status) != CONNECTLY_OK) {
        fprintf(stderr, "dedup: %s\n", connectly_last_error_message()); /* it expires */
    }
    return status;
}
// --8<-- [end:deduplicator]

// --8<-- [start:status_store]
/* Records a delivery status in the fleet's tracker; prints the message's furthest status. */
static int record_status(connectly_status_tracker *tracker, const char *message_id,
                         const char *status) {
    bool forward = false;
    char *furthest;
    if (connectly_status_tracker_advance(tracker, message_id, status, &forward) != CONNECTLY_OK) {
        fprintf(stderr, "status store: %s\n", connectly_last_error_message());
        return -1;
    }
    furthest = connectly_status_tracker_status(tracker, message_id);
    printf("%s: %s %s; it is %s\n", message_id, status, forward ? "is news" : "is not news",
           furthest ? furthest : "unknown");
    connectly_string_free(furthest);
    return forward;
}
// --8<-- [end:status_store]

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Ten sends from two "processes" sharing one budget of 20 a second, 5 at once: the last
 * five wait at least 4 intervals (0.2 s). */
static int check_rate_limiter(const char *redis_url) {
    connectly_client *one = fleet_client(redis_url), *two = fleet_client(redis_url);
    double start = now(), took;
    int i, failures = 0;
    if (one == NULL || two == NULL) failures++;
    for (i = 0; failures == 0 && i < 10; i++) {
        connectly_status status =
            connectly_send_text(i % 2 ? one : two, "whatsapp", "+15555555555", "budget", NULL);
        if (status != CONNECTLY_OK) {
            fprintf(stderr, "send: %s\n", connectly_last_error_message());
            failures++;
        }
    }
    took = now() - start;
    printf("10 sends from two clients on one budget took %.2f s\n", took);
    if (took < 0.19) failures++;
    connectly_client_free(one);
    connectly_client_free(two);
    return failures;
}

/* One delivery arriving at two receivers of the fleet: handled once. */
static int check_deduplicator(const char *redis_url) {
    const char *secret = getenv("CONNECTLY_WEBHOOK_SECRET");
    const uint8_t *secrets[1];
    size_t lengths[1];
    char body[256], signature[CONNECTLY_SIGNATURE_BUFFER_SIZE];
    connectly_webhook *webhook = NULL;
    connectly_event *event = NULL;
    connectly_deduplicator *receiver_a = NULL, *receiver_b = NULL;
    unsigned first = 0, second = 0;
    int failures = 0;

    if (secret == NULL) {
        fprintf(stderr, "set CONNECTLY_WEBHOOK_SECRET\n");
        return 1;
    }
    secrets[0] = (const uint8_t *)secret;
    lengths[0] = strlen(secret);
    /* What Connectly would deliver, signed as it signs (unique to this run). */
    snprintf(body, sizeof body,
             "{\"timestamp\":\"%ld\",\"sender\":{\"id\":\"+15555550100\",\"channelType\":"
             "\"whatsapp\"},\"recipient\":{\"id\":\"+15555550199\",\"channelType\":\"whatsapp\"},"
             "\"message\":{\"text\":\"refund order %ld\"}}",
             (long)time(NULL), (long)getpid());
    if (connectly_webhook_new(secrets, lengths, 1, &webhook) != CONNECTLY_OK ||
        connectly_webhook_sign(webhook, (const uint8_t *)body, strlen(body), signature,
                               sizeof signature) != CONNECTLY_OK ||
        connectly_webhook_verify_event(webhook, (const uint8_t *)body, strlen(body), signature,
                                       &event) != CONNECTLY_OK ||
        connectly_deduplicator_new_redis(redis_url, &receiver_a) != CONNECTLY_OK ||
        connectly_deduplicator_new_redis(redis_url, &receiver_b) != CONNECTLY_OK) {
        fprintf(stderr, "setup: %s\n", connectly_last_error_message());
        failures++;
    } else {
        first = handle_once(receiver_a, event);
        second = handle_once(receiver_b, event);
        printf("first copy answered %u, second copy answered %u, handled %d time(s)\n", first,
               second, handled);
        if (first != 200 || second != 200 || handled != 1) failures++;
    }
    connectly_deduplicator_free(receiver_a);
    connectly_deduplicator_free(receiver_b);
    connectly_event_free(event);
    connectly_webhook_free(webhook);
    return failures;
}

/* Two workers see a message's statuses out of order: the store keeps the furthest. */
static int check_status_store(const char *redis_url) {
    connectly_status_tracker *worker_a = NULL, *worker_b = NULL;
    char id[64], *final = NULL;
    int failures = 0;

    snprintf(id, sizeof id, "fleet-example-%ld-%ld", (long)getpid(), (long)time(NULL));
    if (connectly_status_tracker_new_redis(redis_url, &worker_a) != CONNECTLY_OK ||
        connectly_status_tracker_new_redis(redis_url, &worker_b) != CONNECTLY_OK) {
        fprintf(stderr, "status store: %s\n", connectly_last_error_message());
        failures++;
    } else {
        if (record_status(worker_a, id, "sent") != 1) failures++;
        if (record_status(worker_b, id, "read") != 1) failures++;
        if (record_status(worker_a, id, "delivered") != 0) failures++; /* late */
        final = connectly_status_tracker_status(worker_a, id);
        if (final == NULL || strcmp(final, "read") != 0) failures++;
        connectly_string_free(final);
    }
    connectly_status_tracker_free(worker_a);
    connectly_status_tracker_free(worker_b);
    return failures;
}

int main(void) {
    const char *redis_url = getenv("REDIS_URL");
    int failures = 0;
    if (redis_url == NULL) {
        fprintf(stderr, "set REDIS_URL, such as redis://127.0.0.1:6379/0\n");
        return 1;
    }
    failures += check_rate_limiter(redis_url);
    failures += check_deduplicator(redis_url);
    failures += check_status_store(redis_url);
    printf("%s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
