/* connectly_webhook_verify_signature from C, timed as bench/rust/main.rs times Webhook::verify
 * (the same secret, bodies and method: the median of rounds, the batch doubled until a
 * tenth of a round, ten such batches per round). Linked with the release static library by
 * bench/c/run, which sets these figures beside the Rust ones. Prints one JSON object per
 * body: {"name", "bytes", "c_ns"}. Usage: verify [quick] */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectly.h"

/* The documented delivery body (167 bytes), as in bench/rust/main.rs. */
static const char PAYLOAD[] =
    "{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"+16315555500\",\"channelType\":"
    "\"whatsapp\"},\"recipient\":{\"id\":\"123456123\",\"channelType\":\"whatsapp\"},"
    "\"message\":{\"text\":\"TEST 11\"}}";
static const char SECRET[] = "mock-webhook-secret";

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Keeps the compiler from dropping or hoisting the calls. */
static volatile int sink;

static void verify_n(const connectly_webhook *wh, const uint8_t *body, size_t len,
                     const char *signature, unsigned long n) {
    unsigned long i;
    for (i = 0; i < n; i++) {
        if (connectly_webhook_verify_signature(wh, body, len, signature) != CONNECTLY_OK) {
            fprintf(stderr, "verify failed: %s\n", connectly_last_error_message());
            exit(1);
        }
        sink++;
    }
}

static double time_per_call(double round_ns, int rounds, const connectly_webhook *wh,
                            const uint8_t *body, size_t len, const char *signature) {
    unsigned long batch = 1, per_round;
    double samples[32], start;
    int r;
    for (;;) {
        start = now_ns();
        verify_n(wh, body, len, signature, batch);
        if (now_ns() - start >= round_ns / 10) break;
        batch *= 2;
    }
    per_round = batch * 10;
    for (r = 0; r < rounds; r++) {
        start = now_ns();
        verify_n(wh, body, len, signature, per_round);
        samples[r] = (now_ns() - start) / (double)per_round;
    }
    qsort(samples, (size_t)rounds, sizeof samples[0], compare);
    return samples[rounds / 2];
}

int main(int argc, char **argv) {
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    double round_ns = quick ? 50e6 : 300e6;
    int rounds = quick ? 3 : 7;
    const uint8_t *secrets[1] = {(const uint8_t *)SECRET};
    size_t lens[1] = {sizeof SECRET - 1};
    connectly_webhook *wh = NULL;
    size_t sizes[3] = {sizeof PAYLOAD - 1, 4096, 1 << 20};
    const char *names[3] = {"167 B", "4 KiB", "1 MiB"};
    int i;

    if (connectly_webhook_new(secrets, lens, 1, &wh) != CONNECTLY_OK) {
        fprintf(stderr, "%s\n", connectly_last_error_message());
        return 1;
    }
    for (i = 0; i < 3; i++) {
        uint8_t *body = malloc(sizes[i]);
        char signature[CONNECTLY_SIGNATURE_BUFFER_SIZE];
        double ns;
        if (body == NULL) return 1;
        if (i == 0) {
            memcpy(body, PAYLOAD, sizes[i]);
        } else {
            memset(body, 'x', sizes[i]);
        }
        if (connectly_webhook_sign(wh, body, sizes[i], signature, sizeof signature) !=
            CONNECTLY_OK) {
            fprintf(stderr, "%s\n", connectly_last_error_message());
            return 1;
        }
        ns = time_per_call(round_ns, rounds, wh, body, sizes[i], signature);
        printf("{\"name\": \"%s\", \"bytes\": %lu, \"c_ns\": %.3f}\n", names[i],
               (unsigned long)sizes[i], ns);
        fflush(stdout);
        free(body);
    }
    connectly_webhook_free(wh);
    return 0;
}
