// connectly-example: run
/*
 * Bulk: send many messages with bounded concurrency (connectly_send_many), watch its
 * progress, and keep a journal so that running the same send again, after a crash say,
 * sends only what never left: here it is run twice, and the second run sends nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connectly.h"

#define COUNT 25

// --8<-- [start:progress]
/* Called after each message, one call at a time, from the library's sending threads. */
static void show_progress(void *user, size_t done, size_t failed, size_t total) {
    const char *what = user;
    if (done % 10 == 0 || done == total) { /* the call with done == total is the last */
        printf("%s: %lu of %lu done, %lu failed\n", what, (unsigned long)done,
               (unsigned long)total, (unsigned long)failed);
        fflush(stdout);
    }
}
// --8<-- [end:progress]

// --8<-- [start:bulk]
/* Sends the texts, at most 4 in flight and 50 started per second; returns the outcomes
 * (free them with connectly_batch_free), or NULL. `journal` may be NULL. */
static connectly_batch *send_texts(const connectly_client *client, const char *const *numbers,
                                   const char *const *texts, size_t n, const char *journal) {
    connectly_bulk_item *items = calloc(n, sizeof *items);
    connectly_bulk_options options = {0};
    connectly_batch *batch = NULL;
    connectly_status status;
    size_t i;
    if (items == NULL) return NULL;
    for (i = 0; i < n; i++) {
        items[i].kind = CONNECTLY_BULK_TEXT;
        items[i].channel = "whatsapp";
        items[i].to = numbers[i];
        items[i].text = texts[i];
    }
    options.concurrency = 4;
    options.rate_limit_per_second = 50.0;
    options.progress = show_progress;
    options.user = "bulk send";
    options.journal = journal;
    status = connectly_send_many(client, items, n, &options, &batch);
    free(items); /* read during the call only */
    if (status != CONNECTLY_OK) fprintf(stderr, "bulk: %s\n", connectly_last_error_message());
    return batch; /* CONNECTLY_OK: every message has its own outcome in it */
}
// --8<-- [end:bulk]

// --8<-- [start:journal]
/* Reads each message's outcome. With a journal, one sent by an earlier run comes back with
 * its recorded answer and 0 attempts; one that may have reached Connectly before a crash
 * is not sent again (cancelled, possibly sent): check it by hand. */
static size_t report(const connectly_batch *batch, size_t *sent_now) {
    size_t i, failed = 0;
    *sent_now = 0;
    for (i = 0; i < connectly_batch_len(batch); i++) {
        const connectly_response *response = connectly_batch_response(batch, i);
        const connectly_error *error = connectly_batch_error(batch, i);
        if (response != NULL) {
            if (connectly_response_attempts(response) > 0) (*sent_now)++;
        } else if (connectly_error_possibly_sent(error)) {
            printf("message %lu may have been sent already: not resent\n", (unsigned long)i);
            failed++;
        } else {
            printf("message %lu failed: %s\n", (unsigned long)i, connectly_error_message(error));
            failed++;
        }
    }
    return failed;
}
// --8<-- [end:journal]

int main(void) {
    static char number_text[COUNT][16], message_text[COUNT][48];
    const char *numbers[COUNT], *texts[COUNT];
    const char *tmp = getenv("TMPDIR");
    char journal[512];
    connectly_client *client = NULL;
    connectly_batch *batch;
    size_t i, failed, sent_now;
    int run, wrong = 0;
    connectly_status status = connectly_client_new_from_env(&client);

    if (status != CONNECTLY_OK) {
        fprintf(stderr, "client: %s\n", connectly_last_error_message());
        return 1;
    }
    /* A journal belongs to one list of messages; this run's is new. */
    snprintf(journal, sizeof journal, "%s/connectly-bulk-%ld.journal", tmp ? tmp : "/tmp",
             (long)getpid());
    remove(journal);
    for (i = 0; i < COUNT; i++) {
        snprintf(number_text[i], sizeof number_text[i], "+1555555%04lu", (unsigned long)i);
        snprintf(message_text[i], sizeof message_text[i], "Your voucher: SPRING-%03lu",
                 (unsigned long)i);
        numbers[i] = number_text[i];
        texts[i] = message_text[i];
    }
    for (run = 1; run <= 2; run++) {
        printf("run %d, journal %s\n", run, journal);
        batch = send_texts(client, numbers, texts, COUNT, journal);
        if (batch == NULL) {
            wrong++;
            break;
        }
        failed = report(batch, &sent_now);
        connectly_batch_free(batch);
        printf("run %d: %lu sent now, %lu failed\n", run, (unsigned long)sent_now,
               (unsigned long)failed);
        /* The first run sends all; the rerun finds them all in the journal. */
        if (failed != 0 || sent_now != (run == 1 ? COUNT : 0)) {
            printf("WRONG: want %d sent now and none failed\n", run == 1 ? COUNT : 0);
            wrong++;
        }
    }
    remove(journal);
    connectly_client_free(client);
    return wrong == 0 ? 0 : 1;
}
