// connectly-example: run
/*
 * Async: many sends at once through a completion queue, without a thread per send. Each
 * send is an operation (built and checked first), submitted with a tag; it completes into
 * the queue exactly once, and the queue's descriptor is readable while completions wait, so
 * poll() (or epoll, kqueue, an event loop) tells when to drain it. A submission can be
 * cancelled; connectly_error_possibly_sent says whether its request had left.
 *
 * To have a send still in flight when it is cancelled, the mock Connectly is told to hold
 * the next request for 30 s, through its control endpoint POST /_mock/fail: that part is
 * test scaffolding.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connectly.h"
#include "mock_control.h" /* test scaffolding: the mock's /_mock/ endpoints */

#define MANY 50

// --8<-- [start:concurrent]
/* Sends one text to each of `n` numbers at once; returns how many Connectly accepted. */
static size_t send_all(const connectly_client *client, connectly_queue *queue,
                       const char *const *numbers, size_t n) {
    size_t submitted = 0, done = 0, accepted = 0, i;
    for (i = 0; i < n; i++) {
        connectly_operation *op = NULL;
        /* Checked here, sent nowhere yet; the tag (here the index) names the submission. */
        if (connectly_operation_send_text(client, "whatsapp", numbers[i], "Your order is ready",
                                          &op) != CONNECTLY_OK ||
            connectly_submit(queue, op, i) != CONNECTLY_OK) {
            fprintf(stderr, "%s: %s\n", numbers[i], connectly_last_error_message());
            connectly_operation_free(op); /* still ours when submit refused it */
            continue;
        }
        submitted++;
    }
    while (done < submitted) {
        struct pollfd ready = {0};
        connectly_completion *got[16];
        size_t k;
        ready.fd = connectly_queue_fd(queue); /* the queue's: never read or close it */
        ready.events = POLLIN;
        if (poll(&ready, 1, -1) < 0) break; /* an event loop would wait on others too */
        k = connectly_queue_drain(queue, got, 16);
        for (i = 0; i < k; i++, done++) {
            const connectly_error *error = connectly_completion_error(got[i]); /* NULL: sent */
            if (error == NULL) accepted++;
            else fprintf(stderr, "send %lu: %s\n", (unsigned long)connectly_completion_tag(got[i]),
                         connectly_error_message(error));
            connectly_completion_free(got[i]); /* with its response and error */
        }
    }
    return accepted;
}
// --8<-- [end:concurrent]

// --8<-- [start:cancel]
/* Cancels submission `tag` and takes its completion: cancelled (unless it had finished),
 * and, when its request had been written, possibly received by Connectly. Returns the
 * completion's status. */
static connectly_status cancel_send(connectly_queue *queue, uint64_t tag, int *possibly_sent) {
    connectly_completion *got = NULL;
    connectly_status status;
    if (connectly_cancel(queue, tag) != CONNECTLY_OK) { /* unknown, or taken already */
        fprintf(stderr, "cancel: %s\n", connectly_last_error_message());
        return connectly_error_status(connectly_last_error());
    }
    /* It completes at once, once. (Here the queue holds only this submission.) */
    while (connectly_queue_wait(queue, 1000, &got, 1) == 0) continue;
    status = connectly_completion_status(got);
    *possibly_sent = connectly_error_possibly_sent(connectly_completion_error(got));
    if (status != CONNECTLY_ERROR_CANCELLED) {
        printf("too late: it had finished (%s)\n", connectly_status_name(status));
    } else if (*possibly_sent) {
        printf("cancelled in flight: Connectly may have received it; check before resending\n");
    } else {
        printf("cancelled before its request was written: nothing was sent\n");
    }
    connectly_completion_free(got);
    return status;
}
// --8<-- [end:cancel]

/* Waits (up to 60 s) until the mock has received a request whose body holds `marker`. */
static int mock_received(const char *marker) {
    struct timespec pause = {0, 20 * 1000 * 1000};
    time_t end = time(NULL) + 60;
    while (time(NULL) < end) {
        char *log = NULL;
        int found = mock_control_env("GET", "/_mock/requests", "", &log) == 200 &&
                    strstr(log, marker) != NULL;
        free(log);
        if (found) return 1;
        nanosleep(&pause, NULL);
    }
    return 0;
}

int main(void) {
    static char texts[MANY][16];
    const char *numbers[MANY];
    connectly_client *client = NULL;
    connectly_queue *queue = connectly_queue_new();
    connectly_operation *held = NULL;
    connectly_status status;
    size_t accepted, i;
    int possibly_sent = 0, wrong = 0;
    char marker[64];

    if (queue == NULL) {
        fprintf(stderr, "queue: %s\n", connectly_last_error_message());
        return 1;
    }
    status = connectly_client_new_from_env(&client);
    if (status != CONNECTLY_OK) {
        fprintf(stderr, "client: %s\n", connectly_last_error_message());
        connectly_queue_free(queue);
        return 1;
    }
    for (i = 0; i < MANY; i++) {
        snprintf(texts[i], sizeof texts[i], "+1555555%04lu", (unsigned long)i);
        numbers[i] = texts[i];
    }
    accepted = send_all(client, queue, numbers, MANY);
    printf("%lu of %d sends accepted\n", (unsigned long)accepted, MANY);
    if (accepted != MANY) wrong++;

    /* One send the mock holds for 30 s, cancelled once it has arrived there. */
    snprintf(marker, sizeof marker, "held send %ld-%ld", (long)getpid(), (long)time(NULL));
    if (mock_control_env("POST", "/_mock/fail", "[{\"delay_ms\":30000}]", NULL) != 200 ||
        connectly_operation_send_text(client, "whatsapp", "+15555555555", marker, &held) !=
            CONNECTLY_OK ||
        connectly_submit(queue, held, 1000) != CONNECTLY_OK) {
        fprintf(stderr, "could not submit the held send: %s\n", connectly_last_error_message());
        connectly_operation_free(held);
        wrong++;
    } else if (!mock_received(marker)) {
        fprintf(stderr, "the held send never reached the mock\n");
        wrong++;
    } else {
        status = cancel_send(queue, 1000, &possibly_sent);
        if (status != CONNECTLY_ERROR_CANCELLED || !possibly_sent) {
            fprintf(stderr, "WRONG: want CONNECTLY_ERROR_CANCELLED, possibly sent\n");
            wrong++;
        }
        /* Its tag is free again once taken: cancelling it now is refused. */
        if (connectly_cancel(queue, 1000) != CONNECTLY_ERROR_INVALID_ARGUMENT) wrong++;
    }
    connectly_queue_free(queue);
    connectly_client_free(client);
    printf("%s\n", wrong == 0 ? "ok" : "FAILED");
    return wrong == 0 ? 0 : 1;
}
