/* connectly_send_many: outcomes in input order, failures in their own slots, progress from
 * the sending threads, the rate limit, stopping with a connectly_interrupt, and NULL in
 * every position. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <time.h>

#include "suite.h"

#define MANY 40

static void reset_mock(void) {
    CHECK(mock_control("POST", "/_mock/reset", "", NULL) == 200);
}

static connectly_bulk_item text_message(const char *to, const char *text) {
    connectly_bulk_item m;
    memset(&m, 0, sizeof m);
    m.kind = CONNECTLY_BULK_TEXT;
    m.channel = "whatsapp";
    m.to = to;
    m.text = text;
    return m;
}

static connectly_bulk_item template_message(const char *number, const char *name,
                                          const connectly_template_param *params, size_t n) {
    connectly_bulk_item m;
    memset(&m, 0, sizeof m);
    m.kind = CONNECTLY_BULK_TEMPLATE;
    m.to = number;
    m.template_name = name;
    m.params = params;
    m.n_params = n;
    return m;
}

/* The sequence number the mock put at the end of a reply's id ("mock-<hex>-<n>"). */
static long reply_number(const connectly_response *r) {
    const char *body = connectly_response_body(r), *id, *dash;
    if (body == NULL || (id = strstr(body, "\"id\":\"mock-")) == NULL) return -1;
    dash = strchr(id + 11, '-');
    return dash ? strtol(dash + 1, NULL, 10) : -1;
}

/* Progress, counted from whatever threads the library calls it on. */
struct progress {
    pthread_mutex_t lock;
    size_t calls, max_done, total, final_failed, bad, out_of_order;
    pthread_t first_thread;
    int other_threads;
};

static void on_progress(void *user, size_t done, size_t failed, size_t total) {
    struct progress *p = user;
    pthread_mutex_lock(&p->lock);
    if (p->calls == 0) p->first_thread = pthread_self();
    if (!pthread_equal(p->first_thread, pthread_self())) p->other_threads = 1;
    p->calls++;
    /* One call at a time, each one more done than the last (the first may count refused
     * messages at once). */
    if (p->calls > 1 && done != p->max_done + 1) p->out_of_order++;
    if (done > p->max_done) p->max_done = done;
    if (done == total) p->final_failed = failed;
    if (done == 0 || done > total || failed > done) p->bad++;
    p->total = total;
    pthread_mutex_unlock(&p->lock);
}

static void progress_init(struct progress *p) {
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
}

void test_send_many(void) {
    connectly_client *client = mock_client(0, 10000);
    connectly_bulk_item messages[MANY];
    char texts[MANY][32];
    static const connectly_template_param params[2] = {{"var1", "value1"}, {"var2", "value2"}};
    connectly_bulk_options options;
    connectly_batch *batch = NULL;
    struct progress progress;
    char *log = NULL;
    size_t i;
    long last = -1;
    int ordered = 1;

    /* Texts and templates, one invalid text in the middle and one unusable message (NULL
     * `to`) near the end; concurrency 1, so the mock numbers the replies in input order. */
    for (i = 0; i < MANY; i++) {
        snprintf(texts[i], sizeof texts[i], "bulk %lu", (unsigned long)i);
        messages[i] = i % 5 == 4 ? template_message("+15555555555", "welcome", params, 2)
                                 : text_message("+15555555555", texts[i]);
    }
    messages[17].text = "   ";
    messages[33].to = NULL;
    memset(&options, 0, sizeof options);
    options.concurrency = 1;
    reset_mock();
    CHECK_STATUS(connectly_send_many(client, messages, MANY, &options, &batch), CONNECTLY_OK);
    CHECK_STR(connectly_last_error_message(), "");
    CHECK(connectly_batch_len(batch) == MANY);
    for (i = 0; i < MANY; i++) {
        const connectly_response *r = connectly_batch_response(batch, i);
        if (i == 17 || i == 33) {
            CHECK(r == NULL);
            continue;
        }
        CHECK_STATUS(connectly_batch_status(batch, i), CONNECTLY_OK);
        CHECK(r != NULL && connectly_response_status(r) == 200);
        CHECK(connectly_response_trace_id(r) != NULL);
        CHECK_STR(connectly_batch_error_message(batch, i), "");
        CHECK(connectly_batch_error_code(batch, i) == NULL);
        CHECK(connectly_batch_error_http_status(batch, i) == 0);
        CHECK(connectly_batch_error_retry_after_ms(batch, i) == -1);
        CHECK(connectly_batch_error_field(batch, i) == NULL);
        if (reply_number(r) <= last) ordered = 0;
        last = reply_number(r);
    }
    CHECK(ordered);
    CHECK_STATUS(connectly_batch_status(batch, 17), CONNECTLY_ERROR_VALIDATION);
    CHECK_CONTAINS(connectly_batch_error_message(batch, 17), "invalid text");
    CHECK_STR(connectly_batch_error_field(batch, 17), "text");
    CHECK(connectly_batch_error_attempts(batch, 17) == 0);
    CHECK_STATUS(connectly_batch_status(batch, 33), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_batch_error_message(batch, 33), "`messages[].to`");
    CHECK(connectly_batch_error_field(batch, 33) == NULL);
    CHECK(connectly_batch_error_field(batch, MANY) == NULL);
    /* Reading outcomes leaves the thread's last error alone. */
    CHECK_STR(connectly_last_error_message(), "");
    CHECK(mock_request_count() == MANY - 2);
    CHECK(mock_control("GET", "/_mock/requests", NULL, &log) == 200);
    CHECK_CONTAINS(log, "\"text\":\"bulk 0\"");
    CHECK_CONTAINS(log, "\"text\":\"bulk 38\"");
    CHECK(strstr(log, "\"text\":\"bulk 33\"") == NULL);
    free(log);
    connectly_batch_free(batch);
    batch = NULL;

    /* Eight at once, with progress: every message once, the outcomes still in their slots. */
    for (i = 0; i < MANY; i++) messages[i] = text_message("+15555555555", texts[i]);
    messages[5].to = "+1";  /* refused by validation */
    messages[6].kind = (connectly_bulk_item_kind)7;  /* unusable: not a kind */
    progress_init(&progress);
    options.concurrency = 8;
    options.progress = on_progress;
    options.user = &progress;
    reset_mock();
    CHECK_STATUS(connectly_send_many(client, messages, MANY, &options, &batch), CONNECTLY_OK);
    CHECK(connectly_batch_len(batch) == MANY);
    for (i = 0; i < MANY; i++) {
        if (i == 5 || i == 6) continue;
        CHECK_STATUS(connectly_batch_status(batch, i), CONNECTLY_OK);
    }
    CHECK_STATUS(connectly_batch_status(batch, 5), CONNECTLY_ERROR_VALIDATION);
    CHECK_STATUS(connectly_batch_status(batch, 6), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK_CONTAINS(connectly_batch_error_message(batch, 6), "kind");
    CHECK(mock_request_count() == MANY - 2);
    /* The unusable message is reported first, then one call per message sent. */
    CHECK(progress.calls == MANY);
    CHECK(progress.out_of_order == 0);
    CHECK(progress.max_done == MANY && progress.total == MANY);
    CHECK(progress.final_failed == 2);
    CHECK(progress.bad == 0);
    CHECK(progress.other_threads);
    pthread_mutex_destroy(&progress.lock);
    connectly_batch_free(batch);
    batch = NULL;

    /* Only unusable messages: one progress call, nothing sent. */
    progress_init(&progress);
    messages[0].channel = NULL;
    reset_mock();
    CHECK_STATUS(connectly_send_many(client, messages, 1, &options, &batch), CONNECTLY_OK);
    CHECK_STATUS(connectly_batch_status(batch, 0), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK(progress.calls == 1 && progress.final_failed == 1);
    CHECK(mock_request_count() == 0);
    pthread_mutex_destroy(&progress.lock);
    connectly_batch_free(batch);
    batch = NULL;

    /* An API error keeps its details in its slot: the first request answered 429. */
    for (i = 0; i < 3; i++) messages[i] = text_message("+15555555555", texts[i]);
    memset(&options, 0, sizeof options);
    options.concurrency = 1;
    reset_mock();
    CHECK(mock_control("POST", "/_mock/fail", "[{\"status\":429,\"retry_after\":\"7\"}]", NULL)
          == 200);
    CHECK_STATUS(connectly_send_many(client, messages, 3, &options, &batch), CONNECTLY_OK);
    CHECK_STATUS(connectly_batch_status(batch, 0), CONNECTLY_ERROR_RATE_LIMITED);
    CHECK(connectly_batch_error_http_status(batch, 0) == 429);
    CHECK(connectly_batch_error_retry_after_ms(batch, 0) == 7000);
    CHECK(connectly_batch_error_attempts(batch, 0) == 1);
    CHECK(connectly_batch_error_code(batch, 0) != NULL);
    CHECK(connectly_batch_error_api_message(batch, 0) != NULL);
    CHECK(connectly_batch_error_trace_id(batch, 0) != NULL);
    CHECK(strstr(connectly_batch_error_message(batch, 0), mock.api_key) == NULL);
    CHECK(connectly_batch_response(batch, 0) == NULL);
    CHECK_STATUS(connectly_batch_status(batch, 1), CONNECTLY_OK);
    CHECK_STATUS(connectly_batch_status(batch, 2), CONNECTLY_OK);
    CHECK(connectly_response_attempts(connectly_batch_response(batch, 1)) == 1);
    connectly_batch_free(batch);
    batch = NULL;

    /* The rate limit: 11 messages at 50/s start over at least 10 intervals (0.2 s). NULL
     * options are the defaults. */
    {
        struct timespec start, end;
        double elapsed;
        options.concurrency = 4;
        options.rate_limit_per_second = 50.0;
        CHECK_STATUS(connectly_send_many(client, messages, 3, NULL, &batch), CONNECTLY_OK);
        connectly_batch_free(batch);
        batch = NULL;
        for (i = 0; i < 11; i++) messages[i] = text_message("+15555555555", texts[i]);
        clock_gettime(CLOCK_MONOTONIC, &start);
        CHECK_STATUS(connectly_send_many(client, messages, 11, &options, &batch), CONNECTLY_OK);
        clock_gettime(CLOCK_MONOTONIC, &end);
        elapsed = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
        CHECK(elapsed >= 0.19);
        for (i = 0; i < 11; i++) CHECK_STATUS(connectly_batch_status(batch, i), CONNECTLY_OK);
        connectly_batch_free(batch);
        batch = NULL;
    }
    connectly_client_free(client);
    reset_mock();
}

void test_send_many_null(void) {
    connectly_client *client = mock_client(0, 5000);
    connectly_batch *sentinel = (connectly_batch *)&client;
    connectly_batch *batch = sentinel;
    connectly_bulk_item one = text_message("+15555555555", "hi");

    reset_mock();
    CHECK_STATUS(connectly_send_many(NULL, &one, 1, NULL, &batch), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "`client`");
    CHECK_STATUS(connectly_send_many(client, &one, 1, NULL, NULL), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "`out`");
    CHECK_STATUS(connectly_send_many(client, NULL, 3, NULL, &batch),
                 CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK_CONTAINS(connectly_last_error_message(), "`messages`");
    CHECK(batch == sentinel);
    CHECK(mock_request_count() == 0);

    /* (NULL, 0): an empty batch. */
    CHECK_STATUS(connectly_send_many(client, NULL, 0, NULL, &batch), CONNECTLY_OK);
    CHECK(batch != sentinel && batch != NULL);
    CHECK(connectly_batch_len(batch) == 0);
    CHECK_STATUS(connectly_batch_status(batch, 0), CONNECTLY_ERROR_INVALID_ARGUMENT);
    CHECK(connectly_batch_response(batch, 0) == NULL);
    CHECK(connectly_batch_error_message(batch, 0) == NULL);
    connectly_batch_free(batch);

    /* Getters take NULL and out-of-range indexes; free takes NULL. */
    CHECK(connectly_batch_len(NULL) == 0);
    CHECK_STATUS(connectly_batch_status(NULL, 0), CONNECTLY_ERROR_NULL_ARGUMENT);
    CHECK(connectly_batch_response(NULL, 0) == NULL);
    CHECK(connectly_batch_error_message(NULL, 0) == NULL);
    CHECK(connectly_batch_error_http_status(NULL, 0) == 0);
    CHECK(connectly_batch_error_code(NULL, 0) == NULL);
    CHECK(connectly_batch_error_api_message(NULL, 0) == NULL);
    CHECK(connectly_batch_error_trace_id(NULL, 0) == NULL);
    CHECK(connectly_batch_error_field(NULL, 0) == NULL);
    CHECK(connectly_batch_error_attempts(NULL, 0) == 0);
    CHECK(connectly_batch_error_retry_after_ms(NULL, 0) == -1);
    connectly_batch_free(NULL);

    /* Unusable template fields fail in their slot: NULL params with a count, NULL names,
     * non-UTF-8 text. */
    {
        static const char not_utf8[] = {'x', (char)0xfe, 0};
        connectly_template_param bad_param[1] = {{NULL, "v"}};
        connectly_bulk_item m[4];
        m[0] = template_message("+15555555555", "welcome", NULL, 2);
        m[1] = template_message("+15555555555", "welcome", bad_param, 1);
        m[2] = template_message("+15555555555", NULL, NULL, 0);
        m[3] = text_message("+15555555555", not_utf8);
        batch = NULL;
        CHECK_STATUS(connectly_send_many(client, m, 4, NULL, &batch), CONNECTLY_OK);
        CHECK_STATUS(connectly_batch_status(batch, 0), CONNECTLY_ERROR_NULL_ARGUMENT);
        CHECK_CONTAINS(connectly_batch_error_message(batch, 0), "`messages[].params`");
        CHECK_STATUS(connectly_batch_status(batch, 1), CONNECTLY_ERROR_NULL_ARGUMENT);
        CHECK_CONTAINS(connectly_batch_error_message(batch, 1), "`messages[].params[].name`");
        CHECK_STATUS(connectly_batch_status(batch, 2), CONNECTLY_ERROR_NULL_ARGUMENT);
        CHECK_CONTAINS(connectly_batch_error_message(batch, 2), "`messages[].template_name`");
        CHECK_STATUS(connectly_batch_status(batch, 3), CONNECTLY_ERROR_INVALID_ARGUMENT);
        CHECK_CONTAINS(connectly_batch_error_message(batch, 3), "not valid UTF-8");
        CHECK(mock_request_count() == 0);
        connectly_batch_free(batch);
    }
    connectly_client_free(client);
}

/* How many times the mock received each "bulk <i>" text (i below n) into sent[]; the total. */
static size_t count_sent(size_t *sent, size_t n) {
    struct json *requests = mock_requests();
    size_t i, total = 0;
    memset(sent, 0, n * sizeof *sent);
    CHECK(requests != NULL && requests->type == JSON_ARRAY);
    for (i = 0; requests != NULL && i < requests->count; i++) {
        const char *text = json_get_string(json_get(json_get(&requests->items[i], "json"),
                                                    "message"),
                                           "text");
        unsigned long index;
        CHECK(text != NULL && sscanf(text, "bulk %lu", &index) == 1 && index < n);
        if (text != NULL && sscanf(text, "bulk %lu", &index) == 1 && index < n) sent[index]++;
        total++;
    }
    json_free(requests);
    return total;
}

/* A message stopped by the interrupt: cancelled before any request, so surely not sent. */
static void check_stopped(const connectly_batch *batch, size_t i) {
    CHECK_STATUS(connectly_batch_status(batch, i), CONNECTLY_ERROR_CANCELLED);
    CHECK(connectly_batch_response(batch, i) == NULL);
    CHECK(!connectly_error_possibly_sent(connectly_batch_error(batch, i)));
    CHECK(connectly_batch_error_attempts(batch, i) == 0);
}

/* Sets the interrupt once the batch has finished two messages, from a thread of its own. */
struct stopper {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    size_t done;
    const connectly_interrupt *interrupt;
};

static void count_done(void *user, size_t done, size_t failed, size_t total) {
    struct stopper *s = user;
    (void)failed;
    (void)total;
    pthread_mutex_lock(&s->lock);
    s->done = done;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static void *stop_after_two(void *arg) {
    struct stopper *s = arg;
    pthread_mutex_lock(&s->lock);
    while (s->done < 2) pthread_cond_wait(&s->changed, &s->lock);
    pthread_mutex_unlock(&s->lock);
    connectly_interrupt_set(s->interrupt);
    return NULL;
}

void test_send_many_interrupt(void) {
    connectly_client *client = mock_client(0, 10000);
    connectly_bulk_item messages[MANY];
    char texts[MANY][32];
    size_t sent[MANY];
    connectly_bulk_options options;
    connectly_batch *batch = NULL;
    connectly_interrupt *interrupt = connectly_interrupt_new();
    struct stopper stopper;
    pthread_t thread;
    size_t i, total, ok = 0;

    CHECK(interrupt != NULL);
    for (i = 0; i < MANY; i++) {
        snprintf(texts[i], sizeof texts[i], "bulk %lu", (unsigned long)i);
        messages[i] = text_message("+15555555555", texts[i]);
    }

    /* Set before the call: every message is cancelled and nothing is sent. A zeroed
     * options struct has no interrupt; this one has. */
    memset(&options, 0, sizeof options);
    CHECK(options.interrupt == NULL);
    options.concurrency = 8;
    options.interrupt = interrupt;
    connectly_interrupt_set(interrupt);
    connectly_interrupt_set(interrupt); /* again: nothing more */
    reset_mock();
    CHECK_STATUS(connectly_send_many(client, messages, MANY, &options, &batch), CONNECTLY_OK);
    CHECK(connectly_batch_len(batch) == MANY);
    for (i = 0; i < MANY; i++) check_stopped(batch, i);
    CHECK(mock_request_count() == 0);
    connectly_batch_free(batch);
    batch = NULL;
    connectly_interrupt_free(interrupt);

    /* Set from another thread mid-batch, the mock answering each request after 200 ms:
     * the requests in flight finish and are sent once, the rest are cancelled unsent. */
    interrupt = connectly_interrupt_new();
    memset(&stopper, 0, sizeof stopper);
    pthread_mutex_init(&stopper.lock, NULL);
    pthread_cond_init(&stopper.changed, NULL);
    stopper.interrupt = interrupt;
    options.concurrency = 2;
    options.interrupt = interrupt;
    options.progress = count_done;
    options.user = &stopper;
    reset_mock();
    {
        char delays[MANY * 20 + 3];
        size_t used = 0;
        delays[used++] = '[';
        for (i = 0; i < MANY; i++) {
            used += (size_t)snprintf(delays + used, sizeof delays - used, "%s{\"delay_ms\":200}",
                                     i ? "," : "");
        }
        delays[used++] = ']';
        delays[used] = 0;
        CHECK(mock_control("POST", "/_mock/fail", delays, NULL) == 200);
    }
    CHECK(pthread_create(&thread, NULL, stop_after_two, &stopper) == 0);
    CHECK_STATUS(connectly_send_many(client, messages, MANY, &options, &batch), CONNECTLY_OK);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(connectly_batch_len(batch) == MANY);
    total = count_sent(sent, MANY);
    for (i = 0; i < MANY; i++) {
        CHECK(sent[i] <= 1);
        if (sent[i] == 1) {
            CHECK_STATUS(connectly_batch_status(batch, i), CONNECTLY_OK);
            ok++;
        } else {
            check_stopped(batch, i);
        }
    }
    /* Some sent (the two that set it off, and those in flight then), most not. */
    CHECK(ok >= 2 && ok < MANY / 2);
    CHECK(total == ok);
    CHECK(mock_request_count() == (int)ok);
    connectly_batch_free(batch);
    connectly_interrupt_free(interrupt);
    pthread_cond_destroy(&stopper.changed);
    pthread_mutex_destroy(&stopper.lock);

    /* NULL: set and free do nothing. */
    connectly_interrupt_set(NULL);
    connectly_interrupt_free(NULL);
    connectly_client_free(client);
    reset_mock();
}
