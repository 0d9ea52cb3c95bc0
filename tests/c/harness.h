/* A minimal test harness for the C suite: thread-safe checks, counted and reported. */
#ifndef CONNECTLY_TEST_HARNESS_H
#define CONNECTLY_TEST_HARNESS_H

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "connectly.h"

extern pthread_mutex_t harness_lock;
extern long harness_checks;
extern long harness_failures;

void harness_fail(const char *file, int line, const char *what);
void harness_pass(void);

#define CHECK(cond)                                      \
    do {                                                 \
        if (cond) {                                      \
            harness_pass();                              \
        } else {                                         \
            harness_fail(__FILE__, __LINE__, #cond);     \
        }                                                \
    } while (0)

/* Checks a call's status; on a mismatch prints both names and the last error message. */
#define CHECK_STATUS(expr, want)                                                          \
    do {                                                                                  \
        connectly_status got_ = (expr);                                                   \
        connectly_status want_ = (want);                                                  \
        if (got_ == want_) {                                                              \
            harness_pass();                                                               \
        } else {                                                                          \
            char what_[512];                                                              \
            snprintf(what_, sizeof what_, "%s gave %s, want %s (last error: %s)", #expr,  \
                     connectly_status_name(got_), connectly_status_name(want_),           \
                     connectly_last_error_message());                                     \
            harness_fail(__FILE__, __LINE__, what_);                                      \
        }                                                                                 \
    } while (0)

#define CHECK_STR(got, want)                                                              \
    do {                                                                                  \
        const char *g_ = (got);                                                           \
        const char *w_ = (want);                                                          \
        if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) {                            \
            harness_pass();                                                               \
        } else {                                                                          \
            char what_[512];                                                              \
            snprintf(what_, sizeof what_, "%s is \"%.200s\", want \"%.200s\"", #got,      \
                     g_ ? g_ : "(NULL)", w_ ? w_ : "(NULL)");                             \
            harness_fail(__FILE__, __LINE__, what_);                                      \
        }                                                                                 \
    } while (0)

/* Like CHECK_STR, where NULL is a value: both NULL, or equal strings. */
#define CHECK_OPT_STR(got, want)                                                          \
    do {                                                                                  \
        const char *g_ = (got);                                                           \
        const char *w_ = (want);                                                          \
        if (g_ == w_ || (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0)) {              \
            harness_pass();                                                               \
        } else {                                                                          \
            char what_[512];                                                              \
            snprintf(what_, sizeof what_, "%s is \"%.200s\", want \"%.200s\"", #got,      \
                     g_ ? g_ : "(NULL)", w_ ? w_ : "(NULL)");                             \
            harness_fail(__FILE__, __LINE__, what_);                                      \
        }                                                                                 \
    } while (0)

#define CHECK_CONTAINS(got, part)                                                         \
    do {                                                                                  \
        const char *g_ = (got);                                                           \
        if (g_ != NULL && strstr(g_, (part)) != NULL) {                                   \
            harness_pass();                                                               \
        } else {                                                                          \
            char what_[512];                                                              \
            snprintf(what_, sizeof what_, "%s is \"%.200s\", want it to contain \"%s\"",  \
                     #got, g_ ? g_ : "(NULL)", (part));                                   \
            harness_fail(__FILE__, __LINE__, what_);                                      \
        }                                                                                 \
    } while (0)

#endif
