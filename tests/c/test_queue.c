/* The completion queue (ABI v2): operations built once and performed blocking or submitted;
 * poll(2) on the queue's descriptor; 1,000 submissions held by the mock and cancelled; a
 * fault run where every submission completes exactly once; freeing the queue and the client
 * with submissions in flight; the one error object; NULL in every pointer position. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suite.h"

#define TO "+15555555555"
#define THOUSAND 1000
/* How long a test waits for a condition before it fails (generous: valgrind is slow). */
#define DEADLINE_SECONDS 300

/* The number of entries of a /proc directory, -1 where there is none. */
static long count_entries(const char *path) {
    DIR *dir = opendir(path);
    struct dirent *entry;
    long n = 0;
    if (dir == NULL) return -1;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.') n++;
    }
    closedir(dir);
    return n;
}

/* The number of threads of this process. */
static long thread_count(void) { return count_entries("/proc/self/task"); }

/* The number of open descriptors of this process (less the one counting them). */
static long fd_count(void) { return count_entries("/proc/self/fd") - 1; }

static void pause_briefly(void) {
    struct timespec wait = {0, 20 * 1000 * 1000};
    nanosleep(&wait, NULL);
}

/* Waits (to the deadline: runtime threads exit and sockets close after their client is
 * freed) until `count()` is at most `baseline`. */
static int settles_to(long (*count)(void), long baseline) {
    time_t end = time(NULL) + DEADLINE_SECONDS;
    while (count() > baseline) {
        if (time(NULL) > end) {
            fprintf(stderr, "  %ld, %ld before\n", count(), baseline);
            return 0;
        }
        pause_briefly();
    }
    return 1;
}

/* Waits (to the deadline) until the mock has recorded at least `n` API requests. */
static int wait_for_requests(int n) {
    time_t end = time(NULL) + DEADLINE_SECONDS;
    while (mock_request_count() < n) {
        if (time(NULL) > end) return 0;
        pause_briefly();
    }
    return 1;
}

/* Queues `n` copies of the failure `one` (a JSON object) at the mock. */
static void queue_failures(const char *one, size_t n) {
    size_t len = strlen(one), i, at = 1;
    char *body = malloc(n * (len + 1) + 3);
    if (body == NULL) abort();
    body[0] = '[';
    for (i = 0; i < n; i++) {
        if (i > 0) body[at++] = ',';
        memcpy(body + at, one, len);
        at += len;
    }
    body[at++] = ']';
    body[at] = 0;
    CHECK(mock_control("POST", "/_mock/fail", body, NULL) == 200);
    free(body);
}

/* Builds a text send to TO, or NULL (the check fails). */
static connectly_operation *text_operation(const connectly_client *client, const char *text) {
    connectly_operation *op = NULL;
    CHECK_STATUS(connectly_operation_send_text(client, "whatsapp", TO, text, &op), CONNECTLY_OK);
    return op;
}

/* Takes completions with connectly_queue_wait until got[0..n) are all filled (or the
 * deadline): each is written to got[tag - first] (a tag out of [first, first + n) or seen
 * twice fails). Slots filled before the call count as arrived. Returns how many slots are
 * filled. */
static size_t collect(connectly_queue *queue, uint64_t first, size_t n,
                      connectly_completion **got) {
    connectly_completion *batch[64];
    time_t end = time(NULL) + DEADLINE_SECONDS;
    size_t arrived = 0, i;
    for (i = 0; i < n; i++) {
        if (got[i] != NULL) arrived++;
    }
    while (arrived < n && time(NULL) <= end) {
        size_t k = connectly_queue_wait(queue, 1000, batch, sizeof batch / sizeof batch[0]);
        for (i = 0; i < k; i++) {
            uint64_t tag = connectly_completion_tag(batch[i]);
            if (tag >= first && tag - first < n && got[tag - first] == NULL) {
                got[tag - first] = batch[i];
                arrived++;
            } else {
                CHECK(!"a completion with an unexpected or repeated tag");
                connectly_completion_free(batch[i]);
            }
        }
    }
    return arrived;
}

static void free_all(connectly_completion **got, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) connectly_completion_free(got[i]);
}

/* The index of the registration of `topic` in `list`, or -1. */
static long topic_at(const connectly_webhook_list *list, const char *topic) {
    size_t i;
    for (i = 0; i < connectly_webhook_list_len(list); i++) {
        const char *t = connectly_webhook_list_topic(list, i);
        if (t != NULL && strcmp(t, topic) == 0) return (long)i;
    }
    return -1;
}

/* Every kind of operation, submitted and taken through poll(2) on the queue's descriptor;
 * an operation performed blocking, twice, then submitted; validation at build time. */
void test_queue_operations(void) {
    enum { KINDS = 7 };
    connectly_client *client = mock_client(0, 10000);
    connectly_queue *queue = connectly_queue_new();
    connectly_operation *ops[KINDS] = {NULL}, *op = NULL, *sentinel = (connectly_operation *)&op;
    connectly_completion *got[KINDS] = {NULL}, *done = NULL;
    connectly_message *message = connectly_message_new_text("hi there");
    connectly_template_message *templated = connectly_template_message_new(TO, "welcome");
    connectly_campaign *campaign = connectly_campaign_new();
    connectly_template_param param = {"var1", "Ada"};
    const connectly_webhook_list *list;
    char id[128] = "";
    size_t arrived = 0, i;
    int fd = connectly_queue_fd(queue);
    time_t end = time(NULL) + DEADLINE_SECONDS;

    CHECK(queue != NULL && fd >= 0);
    CHECK(connectly_campaign_add_entry(campaign, TO, "autumn") == CONNECTLY_OK);
    CHECK(mock_control("POST", "/_mock/webhook_conflicts", "{\"enabled\":false}", NULL) == 200);
    mock_reset();

    /* Refusals come back when building, before anything is queued or sent. */
    op = sentinel;
    CHECK_STATUS(connectly_operation_send_text(client, "whatsapp", "", "hi", &op),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK(op == sentinel);
    CHECK(connectly_error_status(connectly_last_error()) == CONNECTLY_ERROR_VALIDATION);
    CHECK(connectly_error_field(connectly_last_error()) != NULL);
    CHECK_STR(connectly_error_message(connectly_last_error()), connectly_last_error_message());
    {
        connectly_campaign *empty = connectly_campaign_new();
        CHECK_STATUS(connectly_operation_send_campaign(client, empty, &op),
                     CONNECTLY_ERROR_VALIDATION);
        CHECK_STR(connectly_error_field(connectly_last_error()), "campaign entries");
        connectly_campaign_free(empty);
    }
    CHECK_STATUS(connectly_operation_upsert_webhook(client, "https://example.com/q", "messages",
                                                    "{\"echo\":", &op),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STR(connectly_last_error_field(), "configuration");
    CHECK_STATUS(connectly_operation_update_webhook(client, "wh_1", NULL, NULL, &op),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_operation_delete_webhook(client, " ", &op),
                 CONNECTLY_ERROR_VALIDATION);
    CHECK(op == sentinel);
    CHECK(mock_request_count() == 0);

    CHECK_STATUS(connectly_operation_send_text(client, "whatsapp", TO, "hello", &ops[0]),
                 CONNECTLY_OK);
    CHECK(connectly_last_error() == NULL);
    CHECK_STATUS(connectly_operation_send_template(client, TO, "welcome", &param, 1, &ops[1]),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_operation_send_message(client, "whatsapp", TO, message, &ops[2]),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_operation_send_template_message(client, templated, &ops[3]),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_operation_create_webhook(client, "https://example.com/q", "messages",
                                                    "custom", "{\"echo\":false}", &ops[4]),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_operation_list_templates(client, &ops[5]), CONNECTLY_OK);
    CHECK_STATUS(connectly_operation_send_campaign(client, campaign, &ops[6]), CONNECTLY_OK);
    /* Building sent nothing; the inputs stay the caller's. */
    CHECK(mock_request_count() == 0);
    connectly_message_free(message);
    connectly_template_message_free(templated);
    connectly_campaign_free(campaign);

    for (i = 0; i < KINDS; i++) {
        CHECK_STATUS(connectly_submit(queue, ops[i], 100 + i), CONNECTLY_OK);
    }
    while (arrived < KINDS && time(NULL) <= end) {
        struct pollfd p;
        connectly_completion *batch[KINDS];
        size_t k;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 1000) <= 0) continue;
        /* One at a time: the descriptor stays readable while any completion waits. */
        k = connectly_queue_drain(queue, batch, 1);
        CHECK(k == 1);
        for (i = 0; i < k; i++) {
            uint64_t tag = connectly_completion_tag(batch[i]);
            CHECK(tag >= 100 && tag < 100 + KINDS && got[tag - 100] == NULL);
            if (tag >= 100 && tag < 100 + KINDS && got[tag - 100] == NULL) {
                got[tag - 100] = batch[i];
                arrived++;
            } else {
                connectly_completion_free(batch[i]);
            }
        }
    }
    CHECK(arrived == KINDS);
    /* Everything was taken: the descriptor is not readable, and drain finds nothing. */
    {
        struct pollfd p;
        connectly_completion *none[1];
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        CHECK(poll(&p, 1, 0) == 0);
        CHECK(connectly_queue_drain(queue, none, 1) == 0);
    }
    for (i = 0; i < KINDS; i++) {
        CHECK_STATUS(connectly_completion_status(got[i]), CONNECTLY_OK);
        CHECK(connectly_completion_error(got[i]) == NULL);
        CHECK(connectly_completion_webhooks(got[i]) == NULL);
    }
    for (i = 0; i < 5; i++) {
        CHECK(connectly_response_status(connectly_completion_response(got[i])) == 200);
        CHECK(connectly_completion_templates(got[i]) == NULL);
        CHECK(connectly_completion_campaign(got[i]) == NULL);
    }
    CHECK(connectly_completion_response(got[5]) == NULL);
    CHECK(connectly_template_list_len(connectly_completion_templates(got[5])) > 0);
    CHECK(connectly_completion_campaign(got[6]) != NULL);
    CHECK(connectly_campaign_result_accepted(connectly_completion_campaign(got[6])) == 1);
    CHECK(connectly_completion_response(got[6]) ==
          connectly_campaign_result_response(connectly_completion_campaign(got[6])));
    free_all(got, KINDS);
    memset(got, 0, sizeof got);
    /* A taken tag is unknown to the queue. */
    CHECK_STATUS(connectly_cancel(queue, 100), CONNECTLY_ERROR_INVALID_ARGUMENT);
    {
        struct json *requests = mock_requests();
        CHECK(requests != NULL && requests->count == KINDS);
        json_free(requests);
    }

    /* Performed blocking, twice (the operation is only read), then submitted. */
    CHECK_STATUS(connectly_operation_list_webhooks(client, &op), CONNECTLY_OK);
    CHECK_STATUS(connectly_perform(op, &done), CONNECTLY_OK);
    CHECK(connectly_completion_tag(done) == 0);
    list = connectly_completion_webhooks(done);
    CHECK(topic_at(list, "messages") >= 0);
    if (topic_at(list, "messages") >= 0) {
        snprintf(id, sizeof id, "%s",
                 connectly_webhook_list_id(list, (size_t)topic_at(list, "messages")));
    }
    connectly_completion_free(done);
    CHECK_STATUS(connectly_perform(op, NULL), CONNECTLY_OK);
    CHECK_STATUS(connectly_submit(queue, op, 200), CONNECTLY_OK);
    CHECK(collect(queue, 200, 1, got) == 1);
    CHECK(connectly_webhook_list_len(connectly_completion_webhooks(got[0])) >= 1);
    free_all(got, 1);
    memset(got, 0, sizeof got);

    /* Update, upsert, then delete every registration: each as a submission. */
    CHECK_STATUS(connectly_operation_update_webhook(client, id, "https://example.com/r", NULL,
                                                    &ops[0]),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_operation_upsert_webhook(client, "https://example.com/s",
                                                    "delivery_status", NULL, &ops[1]),
                 CONNECTLY_OK);
    CHECK_STATUS(connectly_submit(queue, ops[0], 300), CONNECTLY_OK);
    CHECK_STATUS(connectly_submit(queue, ops[1], 301), CONNECTLY_OK);
    CHECK(collect(queue, 300, 2, got) == 2);
    CHECK_STATUS(connectly_completion_status(got[0]), CONNECTLY_OK);
    CHECK_STATUS(connectly_completion_status(got[1]), CONNECTLY_OK);
    free_all(got, 2);
    memset(got, 0, sizeof got);
    CHECK_STATUS(connectly_operation_list_webhooks(client, &op), CONNECTLY_OK);
    CHECK_STATUS(connectly_perform(op, &done), CONNECTLY_OK);
    connectly_operation_free(op);
    list = connectly_completion_webhooks(done);
    CHECK(connectly_webhook_list_len(list) == 2);
    CHECK_STR(connectly_webhook_list_address(list, (size_t)topic_at(list, "messages")),
              "https://example.com/r");
    for (i = 0; i < connectly_webhook_list_len(list) && i < KINDS; i++) {
        CHECK_STATUS(connectly_operation_delete_webhook(client, connectly_webhook_list_id(list, i),
                                                        &ops[i]),
                     CONNECTLY_OK);
        CHECK_STATUS(connectly_submit(queue, ops[i], 400 + i), CONNECTLY_OK);
    }
    CHECK(collect(queue, 400, connectly_webhook_list_len(list), got) ==
          connectly_webhook_list_len(list));
    for (i = 0; i < connectly_webhook_list_len(list) && i < KINDS; i++) {
        CHECK_STATUS(connectly_completion_status(got[i]), CONNECTLY_OK);
    }
    free_all(got, KINDS);
    connectly_completion_free(done);

    connectly_queue_free(queue);
    mock_reset();
    connectly_client_free(client);
}

/* Failures reach the completion as the one error object, with the API's details; the same
 * object as the thread's last error and a batch's. */
void test_queue_errors(void) {
    connectly_client *client = mock_client(0, 10000);
    connectly_queue *queue = connectly_queue_new();
    connectly_completion *got[2] = {NULL, NULL};
    const connectly_error *error;
    connectly_batch *batch = NULL;
    connectly_bulk_item item;

    mock_reset();
    CHECK(mock_control("POST", "/_mock/fail",
                       "[{\"status\":500},{\"status\":429,\"retry_after\":\"2\"}]", NULL) == 200);
    CHECK_STATUS(connectly_submit(queue, text_operation(client, "one"), 1), CONNECTLY_OK);
    CHECK(collect(queue, 1, 1, got) == 1);
    CHECK_STATUS(connectly_submit(queue, text_operation(client, "two"), 2), CONNECTLY_OK);
    CHECK(collect(queue, 1, 2, got) == 2);

    CHECK_STATUS(connectly_completion_status(got[0]), CONNECTLY_ERROR_SERVER);
    error = connectly_completion_error(got[0]);
    CHECK(error != NULL);
    CHECK(connectly_completion_response(got[0]) == NULL);
    CHECK(connectly_error_status(error) == CONNECTLY_ERROR_SERVER);
    CHECK(connectly_error_http_status(error) == 500);
    CHECK(connectly_error_attempts(error) == 1);
    CHECK(connectly_error_retry_after_ms(error) == -1);
    CHECK(connectly_error_field(error) == NULL);
    CHECK(strlen(connectly_error_message(error)) > 0);
    CHECK(strstr(connectly_error_message(error), mock.api_key) == NULL);

    CHECK_STATUS(connectly_completion_status(got[1]), CONNECTLY_ERROR_RATE_LIMITED);
    error = connectly_completion_error(got[1]);
    CHECK(connectly_error_http_status(error) == 429);
    CHECK(connectly_error_retry_after_ms(error) == 2000);
    /* The mock's error body carries the provider's details. */
    CHECK(connectly_error_code(error) != NULL);
    CHECK(connectly_error_api_message(error) != NULL);
    CHECK(connectly_error_trace_id(error) != NULL);
    free_all(got, 2);

    /* The thread's last error: the same getters; NULL after a success. */
    CHECK(mock_control("POST", "/_mock/fail", "[{\"status\":500}]", NULL) == 200);
    CHECK_STATUS(connectly_send_text(client, "whatsapp", TO, "three", NULL),
                 CONNECTLY_ERROR_SERVER);
    error = connectly_last_error();
    CHECK(connectly_error_status(error) == CONNECTLY_ERROR_SERVER);
    CHECK(connectly_error_http_status(error) == connectly_last_error_http_status());
    CHECK_STR(connectly_error_message(error), connectly_last_error_message());
    CHECK_STATUS(connectly_send_text(client, "whatsapp", TO, "four", NULL), CONNECTLY_OK);
    CHECK(connectly_last_error() == NULL);

    /* A batch's failed message. */
    memset(&item, 0, sizeof item);
    item.kind = CONNECTLY_BULK_TEXT;
    item.channel = "whatsapp";
    item.to = TO;
    item.text = "";
    CHECK_STATUS(connectly_send_many(client, &item, 1, NULL, &batch), CONNECTLY_OK);
    error = connectly_batch_error(batch, 0);
    CHECK(connectly_error_status(error) == CONNECTLY_ERROR_VALIDATION);
    CHECK_STR(connectly_error_message(error), connectly_batch_error_message(batch, 0));
    CHECK_STR(connectly_error_field(error), "text");
    CHECK(connectly_batch_error(batch, 1) == NULL);
    connectly_batch_free(batch);
    item.text = "five";
    CHECK_STATUS(connectly_send_many(client, &item, 1, NULL, &batch), CONNECTLY_OK);
    CHECK(connectly_batch_error(batch, 0) == NULL);
    connectly_batch_free(batch);

    connectly_queue_free(queue);
    mock_reset();
    connectly_client_free(client);
}

/* 1,000 submissions in flight at once, held by the mock, on a few threads; all cancelled:
 * exactly 1,000 completions, each CONNECTLY_ERROR_CANCELLED, each tag once. */
void test_queue_thousand_cancelled(void) {
    connectly_client *client = mock_client(0, 600000);
    connectly_queue *queue = connectly_queue_new();
    connectly_completion **got = calloc(THOUSAND, sizeof *got);
    long before, during;
    size_t i, cancelled = 0;

    if (got == NULL) abort();
    mock_reset();
    queue_failures("{\"delay_ms\":120000}", THOUSAND);
    before = thread_count();
    for (i = 0; i < THOUSAND; i++) {
        connectly_operation *op = text_operation(client, "held");
        if (connectly_submit(queue, op, 1 + i) != CONNECTLY_OK) {
            CHECK(!"connectly_submit failed");
            connectly_operation_free(op);
        }
    }
    CHECK(wait_for_requests(THOUSAND));
    during = thread_count();
    /* The client's few threads carry them all: no thread per submission. */
    CHECK(before > 0 && during > 0 && during <= before + 8);
    for (i = 0; i < THOUSAND; i++) {
        if (connectly_cancel(queue, 1 + i) == CONNECTLY_OK) cancelled++;
    }
    CHECK(cancelled == THOUSAND);
    CHECK(collect(queue, 1, THOUSAND, got) == THOUSAND);
    cancelled = 0;
    for (i = 0; i < THOUSAND; i++) {
        /* Each had reached the mock: reported as possibly sent. */
        if (connectly_completion_status(got[i]) == CONNECTLY_ERROR_CANCELLED &&
            connectly_error_status(connectly_completion_error(got[i])) ==
                CONNECTLY_ERROR_CANCELLED &&
            connectly_error_possibly_sent(connectly_completion_error(got[i]))) {
            cancelled++;
        }
    }
    CHECK(cancelled == THOUSAND);
    free_all(got, THOUSAND);
    /* No completion beyond the 1,000. */
    {
        connectly_completion *extra[1];
        CHECK(connectly_queue_wait(queue, 200, extra, 1) == 0);
    }
    CHECK_STATUS(connectly_cancel(queue, 5), CONNECTLY_ERROR_INVALID_ARGUMENT);
    free(got);
    connectly_queue_free(queue);
    mock_reset();
    connectly_client_free(client);
}

/* Whether the run skips time bounds (CONNECTLY_C_NO_TIME_BOUNDS, which the valgrind run of
 * mk/c.mk sets). */
static int time_bounds_skipped(void) {
    return getenv("CONNECTLY_C_NO_TIME_BOUNDS") != NULL;
}

/* 1,000 submissions the mock answers after 0.2 s each: all complete in about one server
 * latency, not a thread pool's turn after turn (8 threads would take 25 s). Under valgrind,
 * which runs the library's I/O thread some twenty times slower (about 17 s here), the make
 * target skips the bound: the run checks what completes, not how soon. */
void test_queue_thousand_in_one_latency(void) {
    connectly_client *client = mock_client(0, 60000);
    connectly_queue *queue = connectly_queue_new();
    connectly_completion **got = calloc(THOUSAND, sizeof *got);
    time_t start;
    size_t i, ok = 0;

    if (got == NULL) abort();
    mock_reset();
    queue_failures("{\"delay_ms\":200}", THOUSAND);
    start = time(NULL);
    for (i = 0; i < THOUSAND; i++) {
        CHECK_STATUS(connectly_submit(queue, text_operation(client, "soon"), 1 + i), CONNECTLY_OK);
    }
    CHECK(collect(queue, 1, THOUSAND, got) == THOUSAND);
    CHECK(time_bounds_skipped() || time(NULL) - start < 15);
    for (i = 0; i < THOUSAND; i++) {
        if (connectly_completion_status(got[i]) == CONNECTLY_OK) ok++;
    }
    CHECK(ok == THOUSAND);
    free_all(got, THOUSAND);
    free(got);
    connectly_queue_free(queue);
    mock_reset();
    connectly_client_free(client);
}

/* Server errors, dropped and reset connections, delays, held requests that time out, and
 * random cancels: every submission completes exactly once, cancelled only when it was. */
void test_queue_faults(void) {
    enum { N = 60 };
    long threads_before = thread_count(), fds_before = fd_count();
    static const char *const failures[] = {
        "{\"status\":500}",   "{\"drop\":true}",     "{\"reset_mid_body\":true}",
        "{\"delay_ms\":30}",  "{\"delay_ms\":120000}", "{\"status\":503}",
    };
    connectly_client *client = mock_client(1, 2000);
    connectly_queue *queue = connectly_queue_new();
    connectly_completion *got[N] = {NULL};
    int cancelled[N] = {0};
    connectly_template_param param = {"var1", "x"};
    size_t i, wrong = 0;
    unsigned seed = 13;
    char body[2048] = "[";

    mock_reset();
    for (i = 0; i < N; i++) {
        if (i > 0) strncat(body, ",", sizeof body - strlen(body) - 1);
        strncat(body, failures[i % 6], sizeof body - strlen(body) - 1);
    }
    strncat(body, "]", sizeof body - strlen(body) - 1);
    CHECK(mock_control("POST", "/_mock/fail", body, NULL) == 200);
    for (i = 0; i < N; i++) {
        connectly_operation *op = NULL;
        if (i % 2 == 0) {
            op = text_operation(client, "fault");
        } else {
            CHECK_STATUS(connectly_operation_send_template(client, TO, "welcome", &param, 1, &op),
                         CONNECTLY_OK);
        }
        CHECK_STATUS(connectly_submit(queue, op, 1000 + i), CONNECTLY_OK);
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) % 3 == 0) {
            size_t victim = (size_t)((seed >> 8) % (i + 1));
            /* Known until taken: OK whether it finished or not, and again. */
            CHECK_STATUS(connectly_cancel(queue, 1000 + victim), CONNECTLY_OK);
            CHECK_STATUS(connectly_cancel(queue, 1000 + victim), CONNECTLY_OK);
            cancelled[victim] = 1;
        }
    }
    CHECK(collect(queue, 1000, N, got) == N);
    for (i = 0; i < N; i++) {
        connectly_status s = connectly_completion_status(got[i]);
        int expected = s == CONNECTLY_OK || s == CONNECTLY_ERROR_SERVER ||
                       s == CONNECTLY_ERROR_TRANSPORT || s == CONNECTLY_ERROR_TIMEOUT ||
                       (s == CONNECTLY_ERROR_CANCELLED && cancelled[i]);
        if (!expected) {
            fprintf(stderr, "  tag %lu: %s\n", (unsigned long)(1000 + i), connectly_status_name(s));
            wrong++;
        }
        CHECK((s == CONNECTLY_OK) == (connectly_completion_error(got[i]) == NULL));
        CHECK_STATUS(connectly_cancel(queue, 1000 + i), CONNECTLY_ERROR_INVALID_ARGUMENT);
    }
    CHECK(wrong == 0);
    free_all(got, N);
    {
        connectly_completion *extra[1];
        CHECK(connectly_queue_wait(queue, 200, extra, 1) == 0);
    }
    connectly_queue_free(queue);
    mock_reset();
    connectly_client_free(client);
    /* The client's threads and connections, and the queue's descriptors, are gone. */
    CHECK(settles_to(thread_count, threads_before));
    CHECK(settles_to(fd_count, fds_before));
}

/* A send answered 429 and cancelled while it waits to retry: not sent again and not
 * possibly sent; its error outlives the completion as an owned copy. */
void test_queue_cancel_waiting(void) {
    connectly_client *client = mock_client(2, 10000);
    connectly_queue *queue = connectly_queue_new();
    connectly_completion *got[1] = {NULL};
    connectly_error *copy;
    struct timespec read_reply = {0, 200 * 1000 * 1000};

    mock_reset();
    CHECK(mock_control("POST", "/_mock/fail", "[{\"status\":429,\"retry_after\":\"2\"}]", NULL) ==
          200);
    CHECK_STATUS(connectly_submit(queue, text_operation(client, "once"), 9), CONNECTLY_OK);
    CHECK(wait_for_requests(1));
    nanosleep(&read_reply, NULL);
    CHECK_STATUS(connectly_cancel(queue, 9), CONNECTLY_OK);
    CHECK(collect(queue, 9, 1, got) == 1);
    CHECK_STATUS(connectly_completion_status(got[0]), CONNECTLY_ERROR_CANCELLED);
    copy = connectly_error_copy(connectly_completion_error(got[0]));
    connectly_completion_free(got[0]);
    CHECK(copy != NULL);
    CHECK_STATUS(connectly_error_status(copy), CONNECTLY_ERROR_CANCELLED);
    CHECK(!connectly_error_possibly_sent(copy));
    CHECK(connectly_error_attempts(copy) == 1);
    CHECK(strstr(connectly_error_message(copy), "waiting to retry") != NULL);
    connectly_error_free(copy);
    CHECK(mock_request_count() == 1);
    CHECK(connectly_error_copy(NULL) == NULL);
    CHECK(!connectly_error_possibly_sent(NULL));
    connectly_error_free(NULL);
    connectly_queue_free(queue);
    mock_reset();
    connectly_client_free(client);
}

/* Freeing the client lets its submissions complete; freeing a queue cancels what is in
 * flight and frees completions not taken (valgrind and ASan check nothing leaks). */
void test_queue_free_in_flight(void) {
    connectly_client *client = mock_client(0, 600000);
    connectly_queue *queue = connectly_queue_new();
    connectly_queue *other = connectly_queue_new();
    connectly_completion *got[3] = {NULL, NULL, NULL};
    size_t i;

    mock_reset();
    for (i = 0; i < 3; i++) {
        CHECK_STATUS(connectly_submit(queue, text_operation(client, "after free"), 1 + i),
                     CONNECTLY_OK);
    }
    connectly_client_free(client);
    CHECK(collect(queue, 1, 3, got) == 3);
    for (i = 0; i < 3; i++) CHECK_STATUS(connectly_completion_status(got[i]), CONNECTLY_OK);
    free_all(got, 3);

    /* One completion waiting, not taken, when its queue is freed. */
    client = mock_client(0, 600000);
    CHECK_STATUS(connectly_submit(other, text_operation(client, "not taken"), 1), CONNECTLY_OK);
    {
        struct pollfd p;
        p.fd = connectly_queue_fd(other);
        p.events = POLLIN;
        p.revents = 0;
        CHECK(poll(&p, 1, DEADLINE_SECONDS * 1000) == 1);
    }
    connectly_queue_free(other);

    /* Held in flight: the client freed first, then the queue. */
    mock_reset();
    queue_failures("{\"delay_ms\":120000}", 5);
    for (i = 0; i < 5; i++) {
        CHECK_STATUS(connectly_submit(queue, text_operation(client, "held"), 10 + i),
                     CONNECTLY_OK);
    }
    CHECK(wait_for_requests(5));
    connectly_client_free(client);
    connectly_queue_free(queue);
    mock_reset();
}

/* Each pointer position, NULL in turn: CONNECTLY_ERROR_NULL_ARGUMENT with the argument named. */
#define EXPECT_NULL(call, name)                                              \
    do {                                                                     \
        CHECK_STATUS(call, CONNECTLY_ERROR_NULL_ARGUMENT);                   \
        CHECK_CONTAINS(connectly_last_error_message(), "`" name "`");        \
    } while (0)

void test_queue_null(void) {
    connectly_client *client = mock_client(0, 10000);
    connectly_queue *queue = connectly_queue_new();
    connectly_operation *op = NULL, *kept = NULL;
    connectly_completion *buf[2] = {NULL, NULL}, *done = NULL;
    connectly_message *message = connectly_message_new_text("hi");
    connectly_template_message *templated = connectly_template_message_new(TO, "welcome");
    connectly_campaign *campaign = connectly_campaign_new();
    const char *h = "https://example.com/h";

    mock_reset();
    EXPECT_NULL(connectly_operation_send_text(NULL, "whatsapp", TO, "t", &op), "client");
    EXPECT_NULL(connectly_operation_send_text(client, NULL, TO, "t", &op), "channel");
    EXPECT_NULL(connectly_operation_send_text(client, "whatsapp", NULL, "t", &op), "to");
    EXPECT_NULL(connectly_operation_send_text(client, "whatsapp", TO, NULL, &op), "text");
    EXPECT_NULL(connectly_operation_send_text(client, "whatsapp", TO, "t", NULL), "out");
    EXPECT_NULL(connectly_operation_send_template(NULL, TO, "w", NULL, 0, &op), "client");
    EXPECT_NULL(connectly_operation_send_template(client, NULL, "w", NULL, 0, &op), "number");
    EXPECT_NULL(connectly_operation_send_template(client, TO, NULL, NULL, 0, &op),
                "template_name");
    EXPECT_NULL(connectly_operation_send_template(client, TO, "w", NULL, 1, &op), "params");
    EXPECT_NULL(connectly_operation_send_template(client, TO, "w", NULL, 0, NULL), "out");
    EXPECT_NULL(connectly_operation_send_message(NULL, "whatsapp", TO, message, &op), "client");
    EXPECT_NULL(connectly_operation_send_message(client, NULL, TO, message, &op), "channel");
    EXPECT_NULL(connectly_operation_send_message(client, "whatsapp", NULL, message, &op), "to");
    EXPECT_NULL(connectly_operation_send_message(client, "whatsapp", TO, NULL, &op), "message");
    EXPECT_NULL(connectly_operation_send_message(client, "whatsapp", TO, message, NULL), "out");
    EXPECT_NULL(connectly_operation_send_template_message(NULL, templated, &op), "client");
    EXPECT_NULL(connectly_operation_send_template_message(client, NULL, &op), "message");
    EXPECT_NULL(connectly_operation_send_template_message(client, templated, NULL), "out");
    EXPECT_NULL(connectly_operation_create_webhook(NULL, h, "messages", NULL, NULL, &op),
                "client");
    EXPECT_NULL(connectly_operation_create_webhook(client, NULL, "messages", NULL, NULL, &op),
                "address");
    EXPECT_NULL(connectly_operation_create_webhook(client, h, NULL, NULL, NULL, &op), "topic");
    EXPECT_NULL(connectly_operation_create_webhook(client, h, "messages", NULL, NULL, NULL),
                "out");
    EXPECT_NULL(connectly_operation_update_webhook(NULL, "wh_1", h, NULL, &op), "client");
    EXPECT_NULL(connectly_operation_update_webhook(client, NULL, h, NULL, &op), "webhook_id");
    EXPECT_NULL(connectly_operation_update_webhook(client, "wh_1", h, NULL, NULL), "out");
    EXPECT_NULL(connectly_operation_delete_webhook(NULL, "wh_1", &op), "client");
    EXPECT_NULL(connectly_operation_delete_webhook(client, NULL, &op), "webhook_id");
    EXPECT_NULL(connectly_operation_delete_webhook(client, "wh_1", NULL), "out");
    EXPECT_NULL(connectly_operation_upsert_webhook(NULL, h, "messages", NULL, &op), "client");
    EXPECT_NULL(connectly_operation_upsert_webhook(client, NULL, "messages", NULL, &op),
                "address");
    EXPECT_NULL(connectly_operation_upsert_webhook(client, h, NULL, NULL, &op), "topic");
    EXPECT_NULL(connectly_operation_upsert_webhook(client, h, "messages", NULL, NULL), "out");
    EXPECT_NULL(connectly_operation_list_webhooks(NULL, &op), "client");
    EXPECT_NULL(connectly_operation_list_webhooks(client, NULL), "out");
    EXPECT_NULL(connectly_operation_list_templates(NULL, &op), "client");
    EXPECT_NULL(connectly_operation_list_templates(client, NULL), "out");
    EXPECT_NULL(connectly_operation_send_campaign(NULL, campaign, &op), "client");
    EXPECT_NULL(connectly_operation_send_campaign(client, NULL, &op), "campaign");
    EXPECT_NULL(connectly_operation_send_campaign(client, campaign, NULL), "out");
    CHECK(op == NULL);
    EXPECT_NULL(connectly_perform(NULL, &done), "operation");
    CHECK(done == NULL);
    CHECK(mock_request_count() == 0);

    /* A refused submission leaves the operation the caller's. */
    kept = text_operation(client, "kept");
    EXPECT_NULL(connectly_submit(NULL, kept, 1), "queue");
    EXPECT_NULL(connectly_submit(queue, NULL, 1), "operation");
    CHECK_STATUS(connectly_submit(queue, kept, 1), CONNECTLY_OK);
    kept = text_operation(client, "same tag");
    CHECK_STATUS(connectly_submit(queue, kept, 1), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "tag 1");
    connectly_operation_free(kept);
    EXPECT_NULL(connectly_cancel(NULL, 1), "queue");
    CHECK_STATUS(connectly_cancel(queue, 999), CONNECTLY_ERROR_INVALID_ARGUMENT);

    CHECK(connectly_queue_fd(NULL) == -1);
    CHECK(connectly_queue_drain(NULL, buf, 2) == 0);
    CHECK(connectly_queue_drain(queue, NULL, 2) == 0);
    CHECK(connectly_queue_drain(queue, buf, 0) == 0);
    CHECK(connectly_queue_wait(NULL, 0, buf, 2) == 0);
    CHECK(connectly_queue_wait(queue, 0, NULL, 2) == 0);
    CHECK(connectly_queue_wait(queue, 0, buf, 0) == 0);
    CHECK(buf[0] == NULL);
    CHECK(collect(queue, 1, 1, buf) == 1);
    CHECK_STATUS(connectly_completion_status(buf[0]), CONNECTLY_OK);
    connectly_completion_free(buf[0]);

    CHECK(connectly_completion_tag(NULL) == 0);
    CHECK(connectly_completion_status(NULL) == CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK(connectly_completion_response(NULL) == NULL);
    CHECK(connectly_completion_webhooks(NULL) == NULL);
    CHECK(connectly_completion_templates(NULL) == NULL);
    CHECK(connectly_completion_campaign(NULL) == NULL);
    CHECK(connectly_completion_error(NULL) == NULL);
    CHECK(connectly_error_status(NULL) == CONNECTLY_OK);
    CHECK(connectly_error_message(NULL) == NULL);
    CHECK(connectly_error_http_status(NULL) == 0);
    CHECK(connectly_error_code(NULL) == NULL);
    CHECK(connectly_error_api_message(NULL) == NULL);
    CHECK(connectly_error_trace_id(NULL) == NULL);
    CHECK(connectly_error_attempts(NULL) == 0);
    CHECK(connectly_error_retry_after_ms(NULL) == -1);
    CHECK(connectly_error_field(NULL) == NULL);
    CHECK(connectly_batch_error(NULL, 0) == NULL);
    connectly_completion_free(NULL);
    connectly_operation_free(NULL);
    connectly_queue_free(NULL);

    connectly_message_free(message);
    connectly_template_message_free(templated);
    connectly_campaign_free(campaign);
    connectly_queue_free(queue);
    mock_reset();
    connectly_client_free(client);
}
